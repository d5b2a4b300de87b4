// ECDSA with nonces made ahead of time (src/core/crypto/presigned.ts): r is (k·G).x, the signatures are
// low S and verify under three implementations (noble strict, @atproto/crypto, libsecp256k1), and a
// key of another curve declines.
import { expect, test } from 'bun:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { verifySignature as atprotoVerify } from '@atproto/crypto'
import { P256Keypair, Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { makeSecp256k1Nonce, secp256k1Scalar, signWithNonce } from '../../src/core/crypto/presigned.ts'
import { nativeSecp256k1MultiplyBase } from '../../src/native/secp256k1.ts'

const Fn = secp256k1.Point.Fn
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const { Secp256k1 } = require('secp256k1/prebuilds/linux-x64/secp256k1.glibc.node') as {
  Secp256k1: new () => { ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): number }
}
const libsecp256k1 = new Secp256k1()

test('a nonce is r = (k·G).x mod n and the inverse of k, whoever multiplies', () => {
  for (const viaNative of [false, true]) {
    let k: Uint8Array | undefined
    const nonce = makeSecp256k1Nonce((scalar) => ((k = scalar.slice()), viaNative ? nativeSecp256k1MultiplyBase(scalar) : null))
    expect(nonce.r).toBe(Fn.create(BigInt(`0x${hex(secp256k1.getPublicKey(k!, true).subarray(1))}`)))
    expect(Fn.mul(nonce.kInverse, Fn.fromBytes(k!))).toBe(1n)
  }
})

test('the signatures are low S and verify with noble (strict), @atproto/crypto and libsecp256k1', async () => {
  for (let i = 0; i < 100; i++) {
    const key = secp256k1.utils.randomSecretKey()
    const hash = crypto.getRandomValues(new Uint8Array(32))
    const signature = signWithNonce(hash, secp256k1Scalar(key), makeSecp256k1Nonce(i % 2 ? nativeSecp256k1MultiplyBase : undefined))!
    expect(signature.length).toBe(64)
    expect(Fn.fromBytes(signature.subarray(32)) <= Fn.ORDER >> 1n).toBe(true)
    const publicKey = secp256k1.getPublicKey(key, true)
    expect(secp256k1.verify(signature, hash, publicKey, { prehash: false, lowS: true })).toBe(true)
    expect(libsecp256k1.ecdsaVerify(signature, hash, publicKey)).toBe(0)
  }
  // Through the keypair: the data is hashed as Keypair.sign hashes it; the did:key verifies it.
  const keypair = Secp256k1Keypair.create()
  const data = new TextEncoder().encode('a commit')
  const first = keypair.signWithNonce(data, makeSecp256k1Nonce())!
  const second = keypair.signWithNonce(data, makeSecp256k1Nonce())!
  expect(hex(first)).not.toBe(hex(second))
  for (const signature of [first, second]) expect(await atprotoVerify(keypair.did(), data, signature)).toBe(true)
  // A tampered message does not verify.
  expect(await atprotoVerify(keypair.did(), new TextEncoder().encode('a commit!'), first)).toBe(false)
})

test('a P-256 key declines a secp256k1 nonce (its caller signs the usual way)', () => {
  expect(P256Keypair.create().signWithNonce(new Uint8Array(8), makeSecp256k1Nonce())).toBeNull()
})
