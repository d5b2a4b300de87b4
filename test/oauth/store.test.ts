// OAuthStore: single-use codes and replay values, refresh-token families, sweeping expired rows.
import { describe, expect, test } from 'bun:test'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { OAuthStore, type TokenRow } from '../../src/storage/oauth/store.ts'
import { DpopNonces } from '../../src/services/oauth/dpop.ts'

const params = { client_id: 'c', response_type: 'code' as const, redirect_uri: 'r', scope: 'atproto', code_challenge: 'x', code_challenge_method: 'S256' as const }
const token = (over: Partial<TokenRow> = {}): TokenRow => ({
  id: 'tok-1', did: 'did:plc:a', clientId: 'c', clientAuth: { method: 'none' }, deviceId: null, scope: 'atproto', parameters: params,
  dpopJkt: 'jkt', code: 'cod-1', refreshToken: 'ref-1', createdAt: Date.now(), updatedAt: Date.now(), expiresAt: Date.now() + 60_000, ...over,
})

describe('OAuthStore', () => {
  test('codes are consumed once; replay values are unique', () => {
    const store = new OAuthStore(openDatabase(':memory:', 'account'))
    store.createRequest({ id: 'req-1', clientId: 'c', clientAuth: { method: 'none' }, parameters: params, dpopJkt: null, expiresAt: Date.now() + 1000 })
    store.updateRequest('req-1', { code: 'cod-1', did: 'did:plc:a' })
    expect(store.consumeCode('cod-1')?.did).toBe('did:plc:a')
    expect(store.consumeCode('cod-1')).toBeNull()
    expect(store.unique('dpop', 'j1', Date.now() + 1000)).toBe(true)
    expect(store.unique('dpop', 'j1', Date.now() + 1000)).toBe(false)
    expect(store.unique('client-assertion', 'j1', Date.now() + 1000)).toBe(true)
  })

  test('rotation keeps every spent refresh token pointing at the live session', () => {
    const store = new OAuthStore(openDatabase(':memory:', 'account'))
    const t = token()
    store.createToken(t)
    store.rotateToken(t, { id: 'tok-2', refreshToken: 'ref-2', updatedAt: Date.now(), expiresAt: t.expiresAt })
    store.rotateToken({ ...t, id: 'tok-2', refreshToken: 'ref-2' }, { id: 'tok-3', refreshToken: 'ref-3', updatedAt: Date.now(), expiresAt: t.expiresAt })
    expect(store.findUsedRefreshToken('ref-1')).toBe('tok-3')
    expect(store.findUsedRefreshToken('ref-2')).toBe('tok-3')
    expect(store.findTokenByRefresh('ref-3')?.id).toBe('tok-3')
    expect(store.getToken('tok-1')).toBeNull()
    expect(store.deleteAllForAccount('did:plc:a')).toBe(1)
    expect(store.findUsedRefreshToken('ref-1')).toBeNull()
  })

  test('sweep deletes expired requests, sessions and replay rows', () => {
    const store = new OAuthStore(openDatabase(':memory:', 'account'))
    const past = Date.now() - 1
    store.createRequest({ id: 'req-old', clientId: 'c', clientAuth: { method: 'none' }, parameters: params, dpopJkt: null, expiresAt: past })
    store.createToken(token({ expiresAt: past }))
    store.unique('dpop', 'old', past)
    store.sweep(Date.now(), true)
    expect(store.getRequest('req-old')).toBeNull()
    expect(store.getToken('tok-1')).toBeNull()
    expect(store.unique('dpop', 'old', Date.now() + 1000)).toBe(true)
  })
})

describe('DPoP nonces', () => {
  test('rotate every minute; the previous and next are accepted, older ones are not', () => {
    let now = 10 * 60_000
    const nonces = new DpopNonces('secret', () => now)
    const first = nonces.next()
    now += 60_000
    expect(nonces.next()).not.toBe(first)
    expect(nonces.check(first)).toBe(true)
    now += 120_000
    expect(nonces.check(first)).toBe(false)
    expect(new DpopNonces('other', () => now).check(nonces.next())).toBe(false)
  })
})
