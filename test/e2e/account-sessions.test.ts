import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as jose from 'jose'
import { AtpAgent } from '@atproto/api'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

const call = (path: string, token: string | null, init: RequestInit = {}) =>
  fetch(`${h.server.url}/xrpc/${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } })
const body = async (res: Response) => (await res.json()) as { error?: string; message?: string } & Record<string, unknown>

describe('sessions', () => {
  test('login by handle, DID and email; tokens carry the reference claims', async () => {
    const { did, handle, email, password } = await h.signUp('sam')
    for (const identifier of [handle, did, email, handle.toUpperCase()]) {
      const a = new AtpAgent({ service: h.server.url })
      await a.login({ identifier, password })
      expect(a.session?.did).toBe(did)
    }
    const a = new AtpAgent({ service: h.server.url })
    const res = await a.login({ identifier: handle, password })
    expect(res.data.active).toBe(true)
    expect(jose.decodeProtectedHeader(res.data.accessJwt).typ).toBe('at+jwt')
    expect(jose.decodeProtectedHeader(res.data.refreshJwt).typ).toBe('refresh+jwt')
    const access = jose.decodeJwt(res.data.accessJwt)
    expect(access).toMatchObject({ scope: 'com.atproto.access', sub: did, aud: h.server.config.service.did })
    expect(access.exp! - access.iat!).toBe(120 * 60)
    const refresh = jose.decodeJwt(res.data.refreshJwt)
    expect(refresh).toMatchObject({ scope: 'com.atproto.refresh', sub: did })
    expect(typeof refresh.jti).toBe('string')
    const session = await a.com.atproto.server.getSession()
    expect(session.data).toMatchObject({ did, handle, email, emailConfirmed: false, active: true })
  })

  test('wrong passwords and unknown users get the same error', async () => {
    const { handle } = await h.signUp('tina')
    for (const [identifier, password] of [[handle, 'wrong'], ['nobody.test', 'x']]) {
      const res = await call('com.atproto.server.createSession', null, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier, password }),
      })
      expect(res.status).toBe(401)
      expect(await body(res)).toEqual({ error: 'AuthenticationRequired', message: 'Invalid identifier or password' })
    }
  })

  test('refresh rotates with a grace window; deleteSession revokes', async () => {
    const { agent } = await h.signUp('uma')
    const refreshJwt = agent.session!.refreshJwt
    const first = await body(await call('com.atproto.server.refreshSession', refreshJwt, { method: 'POST' }))
    const again = await body(await call('com.atproto.server.refreshSession', refreshJwt, { method: 'POST' }))
    // Within the grace period a reused token yields the same next token id.
    expect(jose.decodeJwt(String(again.refreshJwt)).jti).toBe(jose.decodeJwt(String(first.refreshJwt)).jti)
    // An access token is not a refresh token and vice versa.
    expect(await body(await call('com.atproto.server.refreshSession', String(first.accessJwt), { method: 'POST' }))).toMatchObject({ error: 'InvalidToken' })
    expect(await body(await call('com.atproto.server.getSession', String(first.refreshJwt)))).toMatchObject({ error: 'InvalidToken' })
    const del = await call('com.atproto.server.deleteSession', String(first.refreshJwt), { method: 'POST' })
    expect(del.status).toBe(200)
    expect(await body(await call('com.atproto.server.refreshSession', String(first.refreshJwt), { method: 'POST' }))).toMatchObject({ error: 'ExpiredToken', message: 'Token has been revoked' })
  })

  test('expired, forged and missing tokens', async () => {
    const { did } = await h.signUp('vera')
    const key = new TextEncoder().encode(h.server.config.secrets.jwtSecret)
    const aud = h.server.config.service.did
    const expired = await new jose.SignJWT({ scope: 'com.atproto.access' }).setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' }).setAudience(aud).setSubject(did).setIssuedAt(1000).setExpirationTime(2000).sign(key)
    expect(await body(await call('com.atproto.server.getSession', expired))).toMatchObject({ error: 'ExpiredToken' })
    const forged = await new jose.SignJWT({ scope: 'com.atproto.access' }).setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' }).setAudience(aud).setSubject(did).setExpirationTime('1h').sign(new TextEncoder().encode('other'))
    expect(await body(await call('com.atproto.server.getSession', forged))).toMatchObject({ error: 'InvalidToken' })
    const badScope = await new jose.SignJWT({ scope: 'com.atproto.nope' }).setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' }).setAudience(aud).setSubject(did).setExpirationTime('1h').sign(key)
    expect(await body(await call('com.atproto.server.getSession', badScope))).toMatchObject({ error: 'InvalidToken', message: 'Bad token scope' })
    const missing = await call('com.atproto.server.getSession', null)
    expect(missing.status).toBe(401)
  })
})

describe('app passwords', () => {
  test('create, log in with, restricted scope, revoke kills its sessions', async () => {
    const { agent, handle } = await h.signUp('walt')
    const created = await agent.com.atproto.server.createAppPassword({ name: 'phone' })
    expect(created.data.password).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)
    const priv = await agent.com.atproto.server.createAppPassword({ name: 'chat', privileged: true })
    expect(priv.data.privileged).toBe(true)
    const list = await agent.com.atproto.server.listAppPasswords()
    expect(list.data.passwords.map((p) => p.name).sort()).toEqual(['chat', 'phone'])

    const app = new AtpAgent({ service: h.server.url })
    await app.login({ identifier: handle, password: created.data.password })
    expect(jose.decodeJwt(app.session!.accessJwt).scope).toBe('com.atproto.appPass')
    await app.com.atproto.server.getSession()
    const denied = await app.com.atproto.server.listAppPasswords().catch((e) => e)
    expect(denied.error).toBe('InvalidToken')
    const privApp = new AtpAgent({ service: h.server.url })
    await privApp.login({ identifier: handle, password: priv.data.password })
    expect(jose.decodeJwt(privApp.session!.accessJwt).scope).toBe('com.atproto.appPassPrivileged')

    await agent.com.atproto.server.revokeAppPassword({ name: 'phone' })
    const refreshed = await call('com.atproto.server.refreshSession', app.session!.refreshJwt, { method: 'POST' })
    expect(await body(refreshed)).toMatchObject({ error: 'ExpiredToken' })
    const relogin = await new AtpAgent({ service: h.server.url }).login({ identifier: handle, password: created.data.password }).catch((e) => e)
    expect(relogin.error).toBe('AuthenticationRequired')
  })

  test('getServiceAuth signs with the account key and enforces lifetimes', async () => {
    const { agent, did } = await h.signUp('xena')
    const res = await agent.com.atproto.server.getServiceAuth({ aud: 'did:web:example.com', lxm: 'app.bsky.feed.getTimeline' })
    const payload = jose.decodeJwt(res.data.token)
    expect(payload).toMatchObject({ iss: did, aud: 'did:web:example.com', lxm: 'app.bsky.feed.getTimeline' })
    expect(jose.decodeProtectedHeader(res.data.token).alg).toBe('ES256K')
    const far = Math.floor(Date.now() / 1000) + 7200
    const tooLong = await agent.com.atproto.server.getServiceAuth({ aud: 'did:web:example.com', lxm: 'x.y.z', exp: far }).catch((e) => e)
    expect(tooLong.error).toBe('BadExpiration')
    const noLxm = await agent.com.atproto.server.getServiceAuth({ aud: 'did:web:example.com', exp: Math.floor(Date.now() / 1000) + 300 }).catch((e) => e)
    expect(noLxm.error).toBe('BadExpiration')
    const protectedMethod = await agent.com.atproto.server.getServiceAuth({ aud: 'did:web:example.com', lxm: 'com.atproto.server.getSession' }).catch((e) => e)
    expect(protectedMethod.error).toBe('InvalidRequest')
  })
})
