// Commit signatures made on the signing thread are the ones the main thread makes (libsecp256k1,
// RFC 6979: byte for byte noble's), and nobody waits forever once the thread is gone.
import { afterAll, expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { OffThreadSigner } from '../../src/native/sign-pool.ts'

const signer = new OffThreadSigner()
afterAll(() => signer.close())

test('off-thread signatures are byte for byte the inline (noble) ones, many at once', async () => {
  const cases = Array.from({ length: 50 }, (_, i) => ({
    key: secp256k1.utils.randomSecretKey(),
    hash: new Uint8Array(32).map((_, j) => (i * 31 + j * 7) % 256),
  }))
  const signatures = await Promise.all(cases.map(({ key, hash }) => signer.sign(hash, key)))
  for (const [i, { key, hash }] of cases.entries()) {
    const expected = secp256k1.sign(hash, key, { prehash: false, lowS: true, format: 'compact' })
    expect(signatures[i]).not.toBeNull()
    expect(Buffer.from(signatures[i]!).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
    expect(secp256k1.verify(signatures[i]!, hash, secp256k1.getPublicKey(key), { prehash: false, lowS: true })).toBe(true)
  }
})

test('closing the thread answers every waiting signature with null (the caller then signs inline)', async () => {
  const closing = new OffThreadSigner()
  const key = secp256k1.utils.randomSecretKey()
  const waiting = Array.from({ length: 20 }, (_, i) => closing.sign(new Uint8Array(32).fill(i), key))
  closing.close()
  const answers = await Promise.all(waiting)
  expect(answers.every((a) => a === null || a.length === 64)).toBe(true)
  expect(answers.some((a) => a === null)).toBe(true)
  // A closed signer signs nothing more, at once.
  expect(await closing.sign(new Uint8Array(32), key)).toBeNull()
})
