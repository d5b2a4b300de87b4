import { describe, expect, test } from 'bun:test'
import * as atCrypto from '@atproto/crypto'
import { createServiceJwt as refCreateServiceJwt, verifyJwt as refVerifyJwt } from '@atproto/xrpc-server'
import { P256Keypair, Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { createServiceJwt, getServiceEndpoint, verifyServiceJwt } from '../../src/services/service-auth/index.ts'
import { getSigningKey } from '../../src/core/did-doc.ts'
import { XRPCError } from '../../src/xrpc/errors.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'

const ISS = 'did:plc:issuer000000000000000000'
const AUD = 'did:web:api.example.com#bsky_appview'
const LXM = 'app.bsky.feed.getTimeline'

async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (thrown) {
    // Services throw domain errors; this is what the edge's one mapper answers the client with.
    const err = toXrpcError(thrown)
    expect(err).toBeInstanceOf(XRPCError)
    expect((err as XRPCError).status).toBe(401)
    return (err as XRPCError).error
  }
  throw new Error('expected rejection')
}

describe('service JWTs', () => {
  const key = Secp256k1Keypair.create()
  const resolveDidKey = async () => key.did()

  test('round trip with claims iss, aud, lxm, exp 60 s, iat, jti', async () => {
    const token = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    const [header] = token.split('.')
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256K' })
    const payload = await verifyServiceJwt(token, { aud: AUD, lxm: LXM, resolveDidKey })
    expect(payload.iss).toBe(ISS)
    expect(payload.aud).toBe(AUD)
    expect(payload.lxm).toBe(LXM)
    expect(payload.exp! - payload.iat!).toBe(60)
    expect(payload.jti).toMatch(/^[0-9a-f]{32}$/)
  })

  test('P-256 keys work too', async () => {
    const p256 = P256Keypair.create()
    const token = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: p256 })
    const payload = await verifyServiceJwt(token, { aud: AUD, lxm: LXM, resolveDidKey: async () => p256.did() })
    expect(payload.iss).toBe(ISS)
  })

  test('rejections carry the reference error names', async () => {
    const token = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    expect(await errorName(verifyServiceJwt('a.b', { aud: AUD, lxm: LXM, resolveDidKey }))).toBe('BadJwt')
    expect(await errorName(verifyServiceJwt(token, { aud: 'did:web:other', lxm: LXM, resolveDidKey }))).toBe('BadJwtAudience')
    expect(await errorName(verifyServiceJwt(token, { aud: AUD, lxm: 'app.bsky.feed.getFeed', resolveDidKey }))).toBe('BadJwtLexiconMethod')
    const noLxm = createServiceJwt({ iss: ISS, aud: AUD, lxm: null, keypair: key })
    expect(await errorName(verifyServiceJwt(noLxm, { aud: AUD, lxm: LXM, resolveDidKey }))).toBe('BadJwtLexiconMethod')
    const expired = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key, exp: Math.floor(Date.now() / 1000) - 1 })
    expect(await errorName(verifyServiceJwt(expired, { aud: AUD, lxm: LXM, resolveDidKey }))).toBe('JwtExpired')
    const other = Secp256k1Keypair.create()
    expect(await errorName(verifyServiceJwt(token, { aud: AUD, lxm: LXM, resolveDidKey: async () => other.did() }))).toBe('BadJwtSignature')
    const [, payload, sig] = token.split('.')
    const accessHeader = Buffer.from(JSON.stringify({ typ: 'at+jwt', alg: 'ES256K' })).toString('base64url')
    expect(await errorName(verifyServiceJwt(`${accessHeader}.${payload}.${sig}`, { aud: AUD, lxm: LXM, resolveDidKey }))).toBe('BadJwtType')
  })

  test('a signature mismatch retries once with a freshly resolved key (rotation)', async () => {
    const stale = Secp256k1Keypair.create()
    const calls: boolean[] = []
    const token = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    await verifyServiceJwt(token, {
      aud: AUD,
      lxm: LXM,
      resolveDidKey: async (_iss, force) => {
        calls.push(force)
        return force ? key.did() : stale.did()
      },
    })
    expect(calls).toEqual([false, true])
  })

  test('interoperates with @atproto/xrpc-server in both directions', async () => {
    const ours = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    const checked = await refVerifyJwt(ours, AUD, LXM, async () => key.did())
    expect(checked.iss).toBe(ISS)
    const refKey = await atCrypto.Secp256k1Keypair.create()
    const theirs = await refCreateServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: refKey })
    const payload = await verifyServiceJwt(theirs, { aud: AUD, lxm: LXM, resolveDidKey: async () => refKey.did() })
    expect(payload.lxm).toBe(LXM)
  })
})

describe('DID document helpers', () => {
  const key = Secp256k1Keypair.create()
  const doc = {
    id: 'did:plc:abc',
    verificationMethod: [{ id: 'did:plc:abc#atproto', type: 'Multikey', controller: 'did:plc:abc', publicKeyMultibase: key.publicKeyMultibase() }],
    service: [
      { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' },
      { id: 'did:plc:abc#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: 'https://fg.example.com' },
      { id: '#bad', type: 'X', serviceEndpoint: 'ftp://nope' },
    ],
  }

  test('signing key from Multikey and legacy forms', () => {
    expect(getSigningKey(doc)).toBe(key.did())
    const legacy = { id: 'did:web:x', verificationMethod: [{ id: '#atproto', type: 'EcdsaSecp256k1VerificationKey2019', controller: 'did:web:x', publicKeyMultibase: key.publicKeyMultibaseLegacy() }] }
    expect(getSigningKey(legacy)).toBe(key.did())
    expect(getSigningKey({ id: 'did:web:x' })).toBeUndefined()
  })

  test('service endpoints by id, both id forms, http(s) only', () => {
    expect(getServiceEndpoint(doc, '#atproto_pds')).toBe('https://pds.example.com')
    expect(getServiceEndpoint(doc, 'bsky_fg')).toBe('https://fg.example.com')
    expect(getServiceEndpoint(doc, '#bad')).toBeUndefined()
    expect(getServiceEndpoint(doc, '#missing')).toBeUndefined()
  })
})
