// The OAuth method policy: every local method an OAuth token can reach has an explicit rule (or is a
// forwarded app.bsky/chat call), default audiences of proxied calls, and the repo permissions of writes.
import { describe, expect, test } from 'bun:test'
import { HANDLERS } from '../../src/generated/registry.gen.ts'
import { authorizeOAuthCall, hasMethodPolicy, proxyAudience, repoWritesOf } from '../../src/services/oauth/method-policy.ts'
import { ScopePermissions } from '../../src/services/oauth/scopes.ts'
import { oauthCallInfo } from '../../src/xrpc/oauth-verifier.ts'

const config = {
  bskyAppView: { url: 'http://appview', did: 'did:web:appview.test' },
  reportService: { url: 'http://mod', did: 'did:web:mod.test' },
  modService: { url: 'http://ozone', did: 'did:web:ozone.test' },
} as Parameters<typeof proxyAudience>[0]
const OAUTH_KINDS = new Set(['access', 'optionalAccess', 'accessOrAdmin', 'accessDeactivated', 'accessFull', 'accessPrivileged'])
// tools.ozone.* served by the bundled moderation service are authorized as when proxied: rpc: scopes for the labeler's audience.
const FORWARDED = (nsid: string) => nsid.startsWith('app.bsky.') || nsid.startsWith('chat.bsky.') || nsid === 'com.atproto.moderation.createReport' || nsid.startsWith('tools.ozone.')
/** A handler's auth kind for a session-token call (some pick per request). */
const kindOf = (h: (typeof HANDLERS)[number]) => (typeof h.auth === 'function' ? h.auth(new Request('http://pds/xrpc/x', { headers: { authorization: 'Bearer a.b.c' } })) : h.auth)

describe('method policy', () => {
  test('every com.atproto method served here that OAuth tokens reach has an explicit rule', () => {
    const missing = HANDLERS.filter((h) => OAUTH_KINDS.has(kindOf(h)) && !FORWARDED(h.nsid) && !hasMethodPolicy(h.nsid)).map((h) => h.nsid)
    expect(missing).toEqual([])
  })

  test('proxied calls default to the AppView, or the labeler for reports and ozone', () => {
    const req = (headers: Record<string, string> = {}) => oauthCallInfo(new Request('http://pds/xrpc/x', { headers }))
    expect(proxyAudience(config, req(), 'app.bsky.feed.getTimeline')).toBe('did:web:appview.test#bsky_appview')
    expect(proxyAudience(config, req(), 'com.atproto.moderation.createReport')).toBe('did:web:mod.test#atproto_labeler')
    expect(proxyAudience(config, req(), 'tools.ozone.moderation.getRepo')).toBe('did:web:ozone.test#atproto_labeler')
    expect(proxyAudience(config, req({ 'atproto-proxy': 'did:web:chat.test#bsky_chat' }), 'chat.bsky.convo.listConvos')).toBe('did:web:chat.test#bsky_chat')
    // Methods we have never heard of go to the AppView too (the reference's default service).
    expect(proxyAudience(config, req(), 'com.example.thing')).toBe('did:web:appview.test#bsky_appview')
    expect(proxyAudience(config, req(), 'chat.bsky.convo.listConvos')).toBe('did:web:appview.test#bsky_appview')
    const withChat = { ...config, chatService: { url: 'http://chat', did: 'did:web:chat.test' } }
    expect(proxyAudience(withChat, req(), 'chat.bsky.convo.listConvos')).toBe('did:web:chat.test#bsky_chat')
    expect(() => proxyAudience({ ...config, bskyAppView: undefined }, req(), 'com.example.thing')).toThrow('No service configured for com.example.thing')
    expect(() => proxyAudience({ ...config, modService: undefined }, req(), 'tools.ozone.moderation.getRepo')).toThrow('No service configured')
  })

  test('with the bundled moderation service on and no external one, Ozone calls and reports go to the team\'s labeler', () => {
    const req = oauthCallInfo(new Request('http://pds/xrpc/x'))
    const bundled = { ...config, modService: undefined, reportService: undefined, bundledModeration: () => 'did:plc:team' }
    expect(proxyAudience(bundled, req, 'tools.ozone.moderation.getRepo')).toBe('did:plc:team#atproto_labeler')
    expect(proxyAudience(bundled, req, 'com.atproto.moderation.createReport')).toBe('did:plc:team#atproto_labeler')
    expect(proxyAudience(bundled, req, 'app.bsky.feed.getTimeline')).toBe('did:web:appview.test#bsky_appview')
    // A configured service still wins; a team not set up yet is no audience.
    expect(proxyAudience({ ...bundled, modService: config.modService }, req, 'tools.ozone.moderation.getRepo')).toBe('did:web:ozone.test#atproto_labeler')
    expect(() => proxyAudience({ ...bundled, bundledModeration: () => null }, req, 'tools.ozone.moderation.getRepo')).toThrow('No service configured')
  })

  test('full-access methods without a rule stay closed to OAuth; others fall back to rpc:', () => {
    const generic = new ScopePermissions('atproto transition:generic')
    const req = oauthCallInfo(new Request('http://pds/xrpc/app.bsky.feed.getTimeline'))
    expect(() => authorizeOAuthCall(generic, req, 'app.bsky.feed.getTimeline', config)).not.toThrow()
    expect(() => authorizeOAuthCall(generic, req, 'app.bsky.unknown.method', config, { explicitOnly: true })).toThrow('OAuth credentials are not supported')
    expect(() => authorizeOAuthCall(new ScopePermissions('atproto'), req, 'app.bsky.feed.getTimeline', config)).toThrow('Missing required scope')
  })

  test('repo writes name their collections and actions (putRecord: create and update; applyWrites deduplicated)', () => {
    expect(repoWritesOf('com.atproto.repo.putRecord', { collection: 'a.b.c' })).toEqual([
      { action: 'create', collection: 'a.b.c' },
      { action: 'update', collection: 'a.b.c' },
    ])
    const writes = [
      { $type: 'com.atproto.repo.applyWrites#create', collection: 'a.b.c' },
      { $type: 'com.atproto.repo.applyWrites#create', collection: 'a.b.c' },
      { $type: 'com.atproto.repo.applyWrites#delete', collection: 'x.y.z' },
    ]
    expect(repoWritesOf('com.atproto.repo.applyWrites', { writes })).toEqual([
      { action: 'create', collection: 'a.b.c' },
      { action: 'delete', collection: 'x.y.z' },
    ])
    expect(repoWritesOf('com.atproto.repo.getRecord', {})).toEqual([])
  })
})
