// Scope parsing and permission checks, as the reference's @atproto/oauth-scopes behaves.
import { describe, expect, test } from 'bun:test'
import { assertScope, isKnownScope, parsePermission, ScopePermissions } from '../../src/services/oauth/scopes.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'
import { describeScope } from '../../src/services/oauth/scope-descriptions.ts'
import { escapeHtml } from '../../src/web/oauth/pages.tsx'
import { isPrivateAddress, safeFetchJson } from '../../src/services/oauth/safe-fetch.ts'

describe('parsePermission', () => {
  test('repo: positional or named collection, actions default to all', () => {
    expect(parsePermission('repo:app.bsky.feed.post')).toEqual({ resource: 'repo', collection: ['app.bsky.feed.post'], action: ['create', 'update', 'delete'] })
    expect(parsePermission('repo?collection=app.bsky.feed.post&collection=app.bsky.feed.like&action=delete')).toEqual({
      resource: 'repo',
      collection: ['app.bsky.feed.like', 'app.bsky.feed.post'],
      action: ['delete'],
    })
    expect(parsePermission('repo:*?action=create')).toMatchObject({ collection: ['*'], action: ['create'] })
  })

  test('rejects malformed permissions', () => {
    for (const bad of [
      'repo',
      'repo:not-an-nsid',
      'repo:app.bsky.feed.post?action=write',
      'repo:app.bsky.feed.post?collection=app.bsky.feed.like',
      'repo:app.bsky.feed.post?foo=bar',
      'blob',
      'blob:image',
      'rpc:app.bsky.feed.getTimeline',
      'rpc:*?aud=*',
      'rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app',
      'account:password',
      'account:email?action=delete',
      'identity:did',
      'include:app.bsky.authFull?aud=did:web:x',
      'unknown',
    ]) {
      expect(isKnownScope(bad)).toBe(false)
    }
  })

  test('blob, rpc, account, identity', () => {
    expect(parsePermission('blob:image/*')).toEqual({ resource: 'blob', accept: ['image/*'] })
    expect(parsePermission('blob?accept=video/mp4&accept=image/*')).toEqual({ resource: 'blob', accept: ['image/*', 'video/mp4'] })
    expect(parsePermission('rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview')).toEqual({
      resource: 'rpc',
      lxm: ['app.bsky.feed.getTimeline'],
      aud: 'did:web:api.bsky.app#bsky_appview',
    })
    expect(parsePermission('account:email')).toEqual({ resource: 'account', attr: 'email', action: 'read' })
    expect(parsePermission('account:repo?action=manage')).toEqual({ resource: 'account', attr: 'repo', action: 'manage' })
    expect(parsePermission('identity:*')).toEqual({ resource: 'identity', attr: '*' })
    for (const ok of ['atproto', 'transition:generic', 'transition:chat.bsky', 'transition:email']) expect(isKnownScope(ok)).toBe(true)
  })
})

describe('ScopePermissions.allows', () => {
  test('granular repo and blob permissions', () => {
    const p = new ScopePermissions('atproto repo:app.bsky.feed.post?action=create blob:image/*')
    expect(p.allows({ repo: { collection: 'app.bsky.feed.post', action: 'create' } })).toBe(true)
    expect(p.allows({ repo: { collection: 'app.bsky.feed.post', action: 'delete' } })).toBe(false)
    expect(p.allows({ repo: { collection: 'app.bsky.feed.like', action: 'create' } })).toBe(false)
    expect(p.allows({ blob: { mime: 'image/png' } })).toBe(true)
    expect(p.allows({ blob: { mime: 'video/mp4' } })).toBe(false)
  })

  test('transition scopes', () => {
    const generic = new ScopePermissions('atproto transition:generic')
    expect(generic.allows({ repo: { collection: 'any.thing.here', action: 'delete' } })).toBe(true)
    expect(generic.allows({ blob: { mime: 'video/mp4' } })).toBe(true)
    expect(generic.allows({ rpc: { lxm: 'app.bsky.feed.getTimeline', aud: 'did:web:x#y' } })).toBe(true)
    expect(generic.allows({ rpc: { lxm: 'chat.bsky.convo.listConvos', aud: 'did:web:x#y' } })).toBe(false)
    expect(generic.allows({ account: { attr: 'email', action: 'read' } })).toBe(false)
    expect(generic.allows({ identity: { attr: 'handle' } })).toBe(false)
    expect(new ScopePermissions('atproto transition:chat.bsky').allows({ rpc: { lxm: 'chat.bsky.convo.listConvos', aud: 'did:web:x#y' } })).toBe(true)
    expect(new ScopePermissions('atproto transition:email').allows({ account: { attr: 'email', action: 'read' } })).toBe(true)
    expect(new ScopePermissions('atproto transition:email').allows({ account: { attr: 'email', action: 'manage' } })).toBe(false)
  })

  test('rpc audience, account manage implies read, identity wildcard', () => {
    const p = new ScopePermissions('rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview account:status?action=manage identity:*')
    expect(p.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: 'did:web:api.bsky.app#bsky_appview' })).toBe(true)
    expect(p.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: 'did:web:other#bsky_appview' })).toBe(false)
    expect(p.allowsAccount({ attr: 'status', action: 'read' })).toBe(true)
    expect(p.allowsIdentity({ attr: 'handle' })).toBe(true)
  })

  test('assertScope: 403 ScopeMissingError for OAuth callers, no-op for others', () => {
    const auth = { type: 'access', did: 'did:plc:x', permissions: new ScopePermissions('atproto repo:app.bsky.feed.like') }
    expect(() => assertScope(auth, { repo: { collection: 'app.bsky.feed.like', action: 'create' } })).not.toThrow()
    let err: any
    try {
      assertScope(auth, { repo: { collection: 'app.bsky.feed.post', action: 'create' } })
    } catch (e) {
      err = e
    }
    // The domain error reaches the client through the edge's one mapper.
    expect(toXrpcError(err)).toMatchObject({ status: 403, error: 'ScopeMissingError', message: 'Missing required scope "repo:app.bsky.feed.post?action=create"' })
    expect(() => assertScope({ type: 'access', did: 'did:plc:x' }, { identity: { attr: '*' } })).not.toThrow()
  })
})

describe('consent wording and escaping', () => {
  test('plain words for each scope', () => {
    expect(describeScope('repo:*')).toBe('Create, change and delete any kind of record in your repository.')
    expect(describeScope('account:email?action=manage')).toBe('Change your email address.')
    expect(describeScope('identity:handle')).toBe('Change your handle.')
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&#60;a href&#61;&#34;x&#34; onclick&#61;&#39;y&#39;&#62;&#38;')
  })
})

describe('SSRF guard', () => {
  test('private and loopback addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '172.16.5.5', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(ip)).toBe(true)
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPrivateAddress(ip)).toBe(false)
  })

  test('outside dev mode: https only, loopback refused', async () => {
    const opts = { devMode: false, maxBytes: 1000, timeoutMs: 1000 }
    await expect(safeFetchJson('http://example.com/x.json', opts)).rejects.toThrow('Only https')
    await expect(safeFetchJson('https://127.0.0.1/x.json', opts)).rejects.toThrow('private address')
    await expect(safeFetchJson('https://[::1]/x.json', opts)).rejects.toThrow('private address')
    await expect(safeFetchJson('https://localhost/x.json', opts)).rejects.toThrow('private address')
  })
})
