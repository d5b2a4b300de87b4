// The nonce pool (src/services/repo/nonce-pool.ts): it makes nonces on the event loop only while the
// commit it is given waits for its sync, up to its capacity; no nonce is handed out twice, and
// signatures made with them verify.
import { expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { secp256k1Scalar, signWithNonce, type PresignedNonce } from '../../src/core/crypto/presigned.ts'
import { NoncePool } from '../../src/services/repo/nonce-pool.ts'

function drain(pool: NoncePool): PresignedNonce[] {
  const out: PresignedNonce[] = []
  for (let nonce = pool.take(); nonce; nonce = pool.take()) out.push(nonce)
  return out
}

test('fills while a sync is pending and stops when it settles; every nonce is new and signs', async () => {
  const pool = new NoncePool()
  expect(pool.take()).toBeUndefined()
  const sync = Promise.withResolvers<void>()
  pool.fillWhile(sync.promise)
  await Bun.sleep(20)
  sync.resolve()
  await Bun.sleep(0)
  const made = drain(pool)
  expect(made.length).toBeGreaterThan(0)
  expect(pool.taken).toBe(made.length)
  // Settled: nothing more is made.
  await Bun.sleep(20)
  expect(pool.take()).toBeUndefined()

  const key = secp256k1.utils.randomSecretKey()
  for (const nonce of made) {
    const hash = crypto.getRandomValues(new Uint8Array(32))
    const signature = signWithNonce(hash, secp256k1Scalar(key), nonce)!
    expect(secp256k1.verify(signature, hash, secp256k1.getPublicKey(key), { prehash: false, lowS: true })).toBe(true)
  }
  expect(new Set(made.map((n) => n.r)).size).toBe(made.length)
})

test('stops at its capacity however long the sync takes; a sync that fails at once makes none', async () => {
  const pool = new NoncePool()
  const slow = Promise.withResolvers<void>()
  pool.fillWhile(slow.promise)
  for (let i = 0; i < 500 && pool.ready < 256; i++) await Bun.sleep(10)
  expect(pool.ready).toBe(256)
  await Bun.sleep(50)
  expect(pool.ready).toBe(256)
  slow.resolve()

  const empty = new NoncePool()
  const failing = Promise.withResolvers<void>()
  empty.fillWhile(failing.promise)
  failing.reject(new Error('fdatasync failed'))
  await Bun.sleep(20)
  expect(empty.ready).toBe(0)
})
