import { describe, expect, test } from 'bun:test'
import * as ref from '@atproto/crypto'
import { base58btc } from 'multiformats/bases/base58'
import { readInteropJson } from '../helpers/interop.ts'
import {
  P256Keypair,
  Secp256k1Keypair,
  UnsupportedKeyError,
  formatDidKey,
  formatLegacyMultibase,
  formatMultikey,
  parseDidKey,
  parseLegacyMultibase,
  parseMultikey,
  sha256,
  verifySignature,
  verifyWithPublicKey,
  type JwtAlg,
  type Keypair,
} from '../../src/core/crypto/index.ts'
import { secp256k1 } from '@noble/curves/secp256k1.js'

type SigFixture = {
  comment: string
  messageBase64: string
  algorithm: JwtAlg
  didDocSuite: string
  publicKeyDid: string
  publicKeyMultibase: string
  signatureBase64: string
  validSignature: boolean
  tags: string[]
}

const sigFixtures = readInteropJson<SigFixture[]>('crypto/signature-fixtures.json')
const k256Keys = readInteropJson<{ privateKeyBytesHex: string; publicDidKey: string }[]>('crypto/w3c_didkey_K256.json')
const p256Keys = readInteropJson<{ privateKeyBytesBase58: string; publicDidKey: string }[]>('crypto/w3c_didkey_P256.json')

const bytes = (text: string) => new TextEncoder().encode(text)

describe('signature fixtures', () => {
  test('fixture set has valid, high-S and DER cases', () => {
    expect(sigFixtures.filter((f) => f.validSignature).length).toBe(2)
    expect(sigFixtures.filter((f) => f.tags.includes('high-s')).length).toBe(2)
    expect(sigFixtures.filter((f) => f.tags.includes('der-encoded')).length).toBe(2)
  })
  for (const f of sigFixtures) {
    test(f.comment, () => {
      const message = Uint8Array.fromBase64(f.messageBase64)
      const sig = Uint8Array.fromBase64(f.signatureBase64)
      expect(verifySignature(f.publicKeyDid, message, sig)).toBe(f.validSignature)

      // the did:key and the legacy multibase name the same key
      const parsed = parseDidKey(f.publicKeyDid)
      expect(parsed.jwtAlg).toBe(f.algorithm)
      expect(formatLegacyMultibase(f.algorithm, parsed.publicKey)).toBe(f.publicKeyMultibase)
      expect(parseLegacyMultibase(f.algorithm, f.publicKeyMultibase)).toEqual(parsed.publicKey)
      expect(formatDidKey(f.algorithm, parsed.publicKey)).toBe(f.publicKeyDid)
      expect(verifyWithPublicKey(f.algorithm, parsed.publicKey, message, sig)).toBe(f.validSignature)

      // the rejected ones are real signatures, only malleable: the lax mode accepts them
      expect(verifySignature(f.publicKeyDid, message, sig, { allowMalleableSig: true })).toBe(true)
    })
  }
})

describe('did:key from private keys (W3C vectors)', () => {
  test('secp256k1', () => {
    expect(k256Keys.length).toBe(5)
    for (const { privateKeyBytesHex, publicDidKey } of k256Keys) {
      expect(Secp256k1Keypair.import(privateKeyBytesHex).did()).toBe(publicDidKey)
      expect(Secp256k1Keypair.import(Uint8Array.fromHex(privateKeyBytesHex)).did()).toBe(publicDidKey)
    }
  })
  test('P-256', () => {
    expect(p256Keys.length).toBe(1)
    for (const { privateKeyBytesBase58, publicDidKey } of p256Keys) {
      const privateKey = base58btc.baseDecode(privateKeyBytesBase58)
      expect(P256Keypair.import(privateKey).did()).toBe(publicDidKey)
    }
  })
})

const makers: [string, () => Keypair, (k: Uint8Array) => Keypair][] = [
  ['secp256k1', () => Secp256k1Keypair.create(), (k) => Secp256k1Keypair.import(k)],
  ['P-256', () => P256Keypair.create(), (k) => P256Keypair.import(k)],
]

describe.each(makers)('%s keypair', (_name, create, importKey) => {
  test('sign / verify round trip, compact low-S', () => {
    const keypair = create()
    const data = bytes('hello atproto')
    for (let i = 0; i < 20; i++) {
      const sig = keypair.sign(bytes(`message ${i}`))
      expect(sig.length).toBe(64)
      expect(verifySignature(keypair.did(), bytes(`message ${i}`), sig)).toBe(true)
    }
    const sig = keypair.sign(data)
    expect(verifySignature(keypair.did(), bytes('hello atprotO'), sig)).toBe(false)
    const tampered = sig.slice()
    tampered[10]! ^= 1
    expect(verifySignature(keypair.did(), data, tampered)).toBe(false)
    expect(verifySignature(create().did(), data, sig)).toBe(false)
  })
  test('export / import keeps the identity', () => {
    const keypair = create()
    const exported = keypair.exportPrivateKey()
    expect(exported.length).toBe(32)
    const again = importKey(exported)
    expect(again.did()).toBe(keypair.did())
    expect(again.publicKeyBytes()).toEqual(keypair.publicKeyBytes())
  })
  test('public key forms agree', () => {
    const keypair = create()
    expect(keypair.publicKeyBytes().length).toBe(33)
    expect(keypair.did()).toBe(`did:key:${keypair.publicKeyMultibase()}`)
    expect(parseMultikey(keypair.publicKeyMultibase())).toEqual({
      jwtAlg: keypair.jwtAlg,
      publicKey: keypair.publicKeyBytes(),
    })
    expect(keypair.publicKeyBytes()).toEqual(base58btc.decode(keypair.publicKeyMultibaseLegacy()))
  })
  test('bad private keys are refused', () => {
    expect(() => importKey(new Uint8Array(31))).toThrow(UnsupportedKeyError)
    expect(() => importKey(new Uint8Array(32))).toThrow(UnsupportedKeyError)
  })
})

describe('did:key parsing', () => {
  test('uncompressed keys are accepted and compressed', () => {
    const keypair = Secp256k1Keypair.create()
    const uncompressed = secp256k1.Point.fromBytes(keypair.publicKeyBytes()).toBytes(false)
    expect(formatDidKey('ES256K', uncompressed)).toBe(keypair.did())
    expect(formatMultikey('ES256K', uncompressed)).toBe(keypair.publicKeyMultibase())
  })
  test('garbage is rejected', () => {
    expect(() => parseDidKey('did:plc:abc')).toThrow(UnsupportedKeyError)
    expect(() => parseDidKey('did:key:zzzz')).toThrow()
    expect(() => parseDidKey('did:key:' + base58btc.encode(new Uint8Array([0xed, 0x01, ...new Uint8Array(32)])))).toThrow(
      UnsupportedKeyError,
    )
    expect(verifySignature('did:web:example.com', bytes('x'), new Uint8Array(64))).toBe(false)
    expect(verifySignature('did:key:zQ3nope', bytes('x'), new Uint8Array(64))).toBe(false)
  })
})

describe('sha256', () => {
  test('known vector', () => {
    expect(sha256(bytes('abc')).toHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})

describe('cross-check with @atproto/crypto', () => {
  const refMakers: [JwtAlg, () => Keypair, (k: Uint8Array) => Promise<ref.Keypair & { export(): Promise<Uint8Array> }>][] = [
    ['ES256K', () => Secp256k1Keypair.create(), (k) => ref.Secp256k1Keypair.import(k, { exportable: true })],
    ['ES256', () => P256Keypair.create(), (k) => ref.P256Keypair.import(k, { exportable: true })],
  ]
  for (const [alg, create, importRef] of refMakers) {
    test(`${alg}: same did:key, and signatures verify both ways`, async () => {
      const ours = create()
      const theirs = await importRef(ours.exportPrivateKey())
      expect(theirs.did()).toBe(ours.did())
      expect(theirs.jwtAlg).toBe(alg)
      const data = bytes('cross-check')
      expect(await ref.verifySignature(ours.did(), data, ours.sign(data))).toBe(true)
      expect(verifySignature(theirs.did(), data, await theirs.sign(data))).toBe(true)
      // the reference hands back the uncompressed point; compressing it must give our key
      const refKey = ref.parseDidKey(ours.did()).keyBytes
      expect(formatDidKey(alg, refKey)).toBe(ours.did())
      expect(parseDidKey(theirs.did()).publicKey).toEqual(ours.publicKeyBytes())
    })
  }
  test('reference keys created by @atproto/crypto import here', async () => {
    const theirs = await ref.Secp256k1Keypair.create({ exportable: true })
    expect(Secp256k1Keypair.import(await theirs.export()).did()).toBe(theirs.did())
    const theirsP = await ref.P256Keypair.create({ exportable: true })
    expect(P256Keypair.import(await theirsP.export()).did()).toBe(theirsP.did())
  })
})
