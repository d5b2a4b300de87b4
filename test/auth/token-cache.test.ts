// verifyBearer remembers verified tokens; a remembered token must still expire on time and must
// not be accepted under another signing key, audience or typ.
import { describe, expect, test } from 'bun:test'
import * as jose from 'jose'
import { createAccessToken, jwtKey, verifyBearer } from '../../src/services/auth/tokens.ts'
import { AuthScope } from '../../src/services/auth/scopes.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'

const SERVICE = 'did:web:pds.test'
const opts = { typ: 'at+jwt' as const, audience: SERVICE, scopes: [AuthScope.Access] }

function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err) => toXrpcError(err)?.error, // the name the client gets, through the edge's one mapper
  )
}

describe('verified access token cache', () => {
  test('a cached token is accepted again with the same claims', async () => {
    const key = jwtKey('secret-a')
    const token = await createAccessToken(key, { did: 'did:plc:alice', serviceDid: SERVICE, scope: AuthScope.Access })
    const first = await verifyBearer(key, token, opts)
    const second = await verifyBearer(key, token, opts)
    expect(second).toEqual(first)
    expect(second.sub).toBe('did:plc:alice')
  })

  test('another key, audience or typ does not hit the cache', async () => {
    const key = jwtKey('secret-b')
    const token = await createAccessToken(key, { did: 'did:plc:bob', serviceDid: SERVICE, scope: AuthScope.Access })
    await verifyBearer(key, token, opts)
    expect(await errorName(verifyBearer(jwtKey('other-secret'), token, opts))).toBe('InvalidToken')
    expect(await errorName(verifyBearer(key, token, { ...opts, audience: 'did:web:elsewhere.test' }))).toBe('InvalidToken')
    expect(await errorName(verifyBearer(key, token, { ...opts, typ: 'refresh+jwt' }))).toBe('InvalidToken')
  })

  test('scopes are checked on every hit', async () => {
    const key = jwtKey('secret-c')
    const token = await createAccessToken(key, { did: 'did:plc:carol', serviceDid: SERVICE, scope: AuthScope.AppPass })
    await verifyBearer(key, token, { ...opts, scopes: [AuthScope.Access, AuthScope.AppPass] })
    expect(await errorName(verifyBearer(key, token, opts))).toBe('InvalidToken')
  })

  test('a cached token expires when its exp passes', async () => {
    const key = jwtKey('secret-d')
    const exp = Math.floor(Date.now() / 1000) + 2
    const token = await new jose.SignJWT({ scope: AuthScope.Access })
      .setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' })
      .setAudience(SERVICE)
      .setSubject('did:plc:dave')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key)
    expect((await verifyBearer(key, token, opts)).sub).toBe('did:plc:dave')
    await Bun.sleep(exp * 1000 - Date.now() + 50)
    expect(await errorName(verifyBearer(key, token, opts))).toBe('ExpiredToken')
    expect(await errorName(verifyBearer(key, token, opts))).toBe('ExpiredToken')
  })
})
