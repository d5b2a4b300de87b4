// The one DID-document model (src/core/did-doc.ts) reads every key form @atproto/identity reads, with the
// same answers: checked form by form against @atproto/identity's own getKey / parseToAtprotoDocument.
import { describe, expect, test } from 'bun:test'
import { getKey, parseToAtprotoDocument } from '@atproto/identity'
import { base16 } from 'multiformats/bases/base16'
import { base32 } from 'multiformats/bases/base32'
import { base58btc } from 'multiformats/bases/base58'
import { base64, base64url } from 'multiformats/bases/base64'
import { P256Keypair, Secp256k1Keypair, type Keypair } from '../../src/core/crypto/index.ts'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { p256 } from '@noble/curves/nist.js'
import { atprotoData, getHandle, getPdsEndpoint, getSigningKey, isDidDocument, type DidDocument } from '../../src/core/did-doc.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const k256 = Secp256k1Keypair.import('9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c')
const p256Key = P256Keypair.import('9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0d')

function uncompressed(key: Keypair): Uint8Array {
  const curve = key.jwtAlg === 'ES256K' ? secp256k1 : p256
  return curve.Point.fromBytes(key.publicKeyBytes()).toBytes(false)
}

function docWith(method: Record<string, unknown>): DidDocument {
  return {
    id: DID,
    alsoKnownAs: ['at://alice.example.com'],
    verificationMethod: [{ id: `${DID}#atproto`, controller: DID, ...method } as never],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  }
}

const suite = (key: Keypair) => (key.jwtAlg === 'ES256K' ? 'EcdsaSecp256k1VerificationKey2019' : 'EcdsaSecp256r1VerificationKey2019')

describe('signing key forms, as @atproto/identity', () => {
  for (const key of [k256, p256Key]) {
    const forms: Array<[string, Record<string, unknown>]> = [
      ['Multikey', { type: 'Multikey', publicKeyMultibase: key.publicKeyMultibase() }],
      [`${suite(key)} compressed base58btc`, { type: suite(key), publicKeyMultibase: key.publicKeyMultibaseLegacy() }],
      [`${suite(key)} uncompressed base58btc`, { type: suite(key), publicKeyMultibase: base58btc.encode(uncompressed(key)) }],
      [`${suite(key)} base16`, { type: suite(key), publicKeyMultibase: base16.encode(key.publicKeyBytes()) }],
      [`${suite(key)} base32`, { type: suite(key), publicKeyMultibase: base32.encode(uncompressed(key)) }],
      [`${suite(key)} base64`, { type: suite(key), publicKeyMultibase: base64.encode(key.publicKeyBytes()) }],
      [`${suite(key)} base64url`, { type: suite(key), publicKeyMultibase: base64url.encode(key.publicKeyBytes()) }],
    ]
    for (const [name, method] of forms) {
      test(`${key.jwtAlg} ${name}`, () => {
        const doc = docWith(method)
        expect(getSigningKey(doc)).toBe(key.did())
        expect(getSigningKey(doc)).toBe(getKey(doc as never)!)
      })
    }
  }

  test('the key id may be relative (#atproto) or absolute (did#atproto)', () => {
    const doc = docWith({ type: 'Multikey', publicKeyMultibase: k256.publicKeyMultibase() })
    doc.verificationMethod![0]!.id = '#atproto'
    expect(getSigningKey(doc)).toBe(k256.did())
    doc.verificationMethod![0]!.id = 'did:plc:other#atproto'
    expect(getSigningKey(doc)).toBeUndefined()
    expect(getKey(doc as never)).toBeUndefined()
  })

  test('no usable key: unknown suite, missing or undecodable key, wrong suite for the bytes', () => {
    const cases: Array<Record<string, unknown>> = [
      { type: 'JsonWebKey2020', publicKeyJwk: { kty: 'EC' } },
      { type: 'Multikey' },
      { type: 'Multikey', publicKeyMultibase: 'znot-base58' },
      { type: 'Multikey', publicKeyMultibase: k256.publicKeyMultibaseLegacy().replace(/^z/, 'f') },
      { type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: 'qunknownbase' },
      { type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: base58btc.encode(new Uint8Array(33).fill(7)) },
    ]
    for (const method of cases) expect(getSigningKey(docWith(method))).toBeUndefined()
  })
})

describe('document shape and the other atproto pieces', () => {
  test('handle, PDS endpoint and key agree with @atproto/identity', () => {
    const doc = docWith({ type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: k256.publicKeyMultibaseLegacy() })
    const ours = atprotoData(doc)
    const theirs = parseToAtprotoDocument(doc as never)
    expect(ours).toEqual({ did: theirs.did, handle: theirs.handle, signingKey: theirs.signingKey, pds: theirs.pds } as typeof ours)
    expect(getHandle({ id: DID, alsoKnownAs: ['https://x', 'at://bob.test'] })).toBe('bob.test')
  })

  test('a PDS endpoint must be http(s) and of the right type', () => {
    const service = (s: Record<string, unknown>) => ({ id: DID, service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', ...s }] }) as DidDocument
    expect(getPdsEndpoint(service({ serviceEndpoint: 'ftp://x.example' }))).toBeUndefined()
    expect(getPdsEndpoint(service({ serviceEndpoint: 'https://x.example', type: 'Other' }))).toBeUndefined()
    expect(getPdsEndpoint(service({ serviceEndpoint: { uri: 'https://x.example' } }))).toBeUndefined()
    expect(getPdsEndpoint(service({ serviceEndpoint: 'https://x.example' }))).toBe('https://x.example')
  })

  test('isDidDocument refuses malformed documents', () => {
    expect(isDidDocument(docWith({ type: 'Multikey', publicKeyMultibase: k256.publicKeyMultibase() }))).toBe(true)
    expect(isDidDocument({ id: DID })).toBe(true)
    for (const bad of [null, [], 'did', { id: 1 }, { id: DID, alsoKnownAs: 'at://x' }, { id: DID, alsoKnownAs: [1] },
      { id: DID, verificationMethod: [{ id: '#atproto', type: 'Multikey' }] },
      { id: DID, verificationMethod: {} },
      { id: DID, service: [{ id: '#atproto_pds', type: 'X', serviceEndpoint: 5 }] }]) {
      expect(isDidDocument(bad)).toBe(false)
    }
  })
})
