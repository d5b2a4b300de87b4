// libsecp256k1 (src/native/secp256k1.ts) must sign exactly as noble does: the same RFC 6979 nonce gives
// the same bytes, low S, and the signature verifies; Keypair.sign uses it once installed.
import { afterAll, expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { Secp256k1Keypair, installPrehashedSigner, verifySignature } from '../../src/core/crypto/index.ts'
import { nativeSecp256k1 } from '../../src/native/secp256k1.ts'

afterAll(() => installPrehashedSigner('ES256K', undefined))

test('loads on this machine (linux-x64, glibc)', () => {
  expect(nativeSecp256k1(new Uint8Array(32).fill(2), new Uint8Array(32).fill(1))).toBeInstanceOf(Uint8Array)
})

test('byte for byte the signatures noble makes, over random keys and messages', () => {
  for (let i = 0; i < 200; i++) {
    const key = secp256k1.utils.randomSecretKey()
    const hash = crypto.getRandomValues(new Uint8Array(32))
    const noble = secp256k1.sign(hash, key, { prehash: false, lowS: true, format: 'compact' })
    expect(Buffer.from(nativeSecp256k1(hash, key)!).toString('hex')).toBe(Buffer.from(noble).toString('hex'))
  }
})

test('Keypair.sign uses the installed signer and its signatures verify, strict (low S)', async () => {
  const keypair = Secp256k1Keypair.create()
  const data = new TextEncoder().encode('a commit')
  const before = keypair.sign(data)
  let calls = 0
  installPrehashedSigner('ES256K', (hash, key) => (calls++, nativeSecp256k1(hash, key)))
  const after = keypair.sign(data)
  expect(calls).toBe(1)
  expect(after).toEqual(before)
  expect(after.length).toBe(64)
  expect(await verifySignature(keypair.did(), data, after)).toBe(true)
})
