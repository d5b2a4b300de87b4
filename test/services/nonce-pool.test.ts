// The nonce thread (src/services/repo/nonce-pool.ts): it fills the pool as it runs low, no nonce is handed
// out twice, signatures made with them verify, and a closed pool hands out nothing.
import { afterAll, expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { secp256k1Scalar, signWithNonce, type PresignedNonce } from '../../src/core/crypto/presigned.ts'
import { NoncePool } from '../../src/services/repo/nonce-pool.ts'

const pool = new NoncePool()
afterAll(() => pool.close())

/** The next nonce, waiting for the thread when the pool is empty (the first one starts it). */
async function next(from: NoncePool): Promise<PresignedNonce> {
  for (let i = 0; i < 500; i++) {
    const nonce = from.take()
    if (nonce) return nonce
    await Bun.sleep(10)
  }
  throw new Error('the nonce thread made nothing in 5 s')
}

test('the thread keeps the pool filled; 1,000 nonces in a row are all different and sign valid signatures', async () => {
  expect(pool.take()).toBeUndefined() // empty until its thread answers: the caller signs the usual way
  const seen = new Set<bigint>()
  const key = secp256k1.utils.randomSecretKey()
  const publicKey = secp256k1.getPublicKey(key, true)
  for (let i = 0; i < 1000; i++) {
    const nonce = await next(pool)
    seen.add(nonce.r)
    if (i % 50 === 0) {
      const hash = crypto.getRandomValues(new Uint8Array(32))
      const signature = signWithNonce(hash, secp256k1Scalar(key), nonce)!
      expect(secp256k1.verify(signature, hash, publicKey, { prehash: false, lowS: true })).toBe(true)
    }
  }
  expect(seen.size).toBe(1000)
  expect(pool.taken).toBe(1000)
})

test('a closed pool hands out nothing, even what it held', async () => {
  const closing = new NoncePool()
  await next(closing)
  closing.close()
  expect(closing.take()).toBeUndefined()
  await Bun.sleep(50)
  expect(closing.take()).toBeUndefined()
})
