// include:<nsid> scopes: lexicon permission sets expanded into repo:/rpc: permissions (the reference's rules).
import { describe, expect, test } from 'bun:test'
import { Lexicons } from '../../src/core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { buildTokenScope, includedPermissions, isUnderAuthority, permissionSetsFrom, unresolvedIncludes } from '../../src/services/oauth/permission-sets.ts'
import { describeScope } from '../../src/services/oauth/scope-descriptions.ts'
import { formatPermission, isKnownScope, parseInclude, parsePermission, ScopePermissions } from '../../src/services/oauth/scopes.ts'

const bundled = permissionSetsFrom(new Lexicons(LEXICON_SOURCES, { lazy: true }))
const APPVIEW = 'did:web:api.bsky.app#bsky_appview'

describe('parseInclude', () => {
  test('an NSID, optionally with an audience', () => {
    expect(parseInclude('include:app.bsky.authCreatePosts')).toEqual({ nsid: 'app.bsky.authCreatePosts' })
    expect(parseInclude(`include:app.bsky.authFullApp?aud=${encodeURIComponent(APPVIEW)}`)).toEqual({ nsid: 'app.bsky.authFullApp', aud: APPVIEW })
    for (const bad of ['include:', 'include:notansid', 'include:app.bsky.x?aud=did:web:x', 'include:app.bsky.x?foo=1', 'include?nsid=a.b.c&nsid=a.b.d']) {
      expect(parseInclude(bad)).toBeNull()
      expect(isKnownScope(bad)).toBe(false)
    }
    expect(isKnownScope('include:app.bsky.authCreatePosts')).toBe(true)
  })
})

describe('bundled permission sets', () => {
  test('authCreatePosts: create posts, postgates and threadgates; nothing else', () => {
    const scope = buildTokenScope('atproto include:app.bsky.authCreatePosts', bundled)
    expect(scope.split(' ')).toEqual([
      'repo?collection=app.bsky.feed.post&collection=app.bsky.feed.postgate&collection=app.bsky.feed.threadgate&action=create',
      'atproto',
    ])
    const p = new ScopePermissions(scope)
    expect(p.allowsRepo({ collection: 'app.bsky.feed.post', action: 'create' })).toBe(true)
    expect(p.allowsRepo({ collection: 'app.bsky.feed.post', action: 'delete' })).toBe(false)
    expect(p.allowsRepo({ collection: 'app.bsky.graph.follow', action: 'create' })).toBe(false)
    // rpc permissions inherit the include's audience; without one they are left out.
    expect(p.allowsRpc({ lxm: 'app.bsky.video.uploadVideo', aud: APPVIEW })).toBe(false)
  })

  test('inheritAud: rpc permissions take the include audience', () => {
    const scope = buildTokenScope(`atproto include:app.bsky.authCreatePosts?aud=${encodeURIComponent(APPVIEW)}`, bundled)
    const p = new ScopePermissions(scope)
    expect(p.allowsRpc({ lxm: 'app.bsky.video.uploadVideo', aud: APPVIEW })).toBe(true)
    expect(p.allowsRpc({ lxm: 'app.bsky.video.uploadVideo', aud: 'did:web:other.example#bsky_appview' })).toBe(false)
    expect(p.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(false)
  })

  test('authFullApp expands to app.bsky permissions only', () => {
    const p = new ScopePermissions(buildTokenScope(`atproto include:app.bsky.authFullApp?aud=${encodeURIComponent(APPVIEW)}`, bundled))
    expect(p.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(true)
    expect(p.allowsRepo({ collection: 'app.bsky.graph.follow', action: 'create' })).toBe(true)
    expect(p.allowsRepo({ collection: 'com.example.thing', action: 'create' })).toBe(false)
    expect(p.allowsRpc({ lxm: 'chat.bsky.convo.listConvos', aud: APPVIEW })).toBe(false)
  })

  test('unknown sets are reported and cannot be turned into a token scope', () => {
    expect(unresolvedIncludes('atproto include:com.example.authNope include:app.bsky.authCreatePosts', bundled)).toEqual(['include:com.example.authNope'])
    expect(() => buildTokenScope('atproto include:com.example.authNope', bundled)).toThrow('could not be resolved')
    // A record lexicon is not a permission set.
    expect(bundled('app.bsky.feed.post')).toBeNull()
  })

  test('the consent page uses the set title and detail', () => {
    expect(describeScope('include:app.bsky.authCreatePosts', bundled)).toBe('Create Bluesky Posts. Can not update or delete posts.')
    expect(describeScope('include:com.example.authNope', bundled)).toContain('unknown to this server')
  })
})

describe('authority rules', () => {
  const doc = {
    lexicon: 1,
    id: 'com.example.app.authStuff',
    defs: {
      main: {
        type: 'permission-set',
        permissions: [
          { type: 'permission', resource: 'repo', collection: ['com.example.app.post', 'com.example.app.sub.like'] },
          { type: 'permission', resource: 'repo', collection: ['com.example.app.post', 'com.other.thing'] },
          { type: 'permission', resource: 'repo', collection: ['*'] },
          { type: 'permission', resource: 'rpc', lxm: ['com.example.app.getThing'], aud: '*' },
          { type: 'permission', resource: 'rpc', lxm: ['com.example.app.getOther'], aud: 'did:web:evil.example#svc' },
          { type: 'permission', resource: 'rpc', lxm: ['com.example.app.getInherited'], inheritAud: true },
          { type: 'permission', resource: 'account', attr: 'email' },
          { type: 'permission', resource: 'identity', attr: '*' },
          { type: 'permission', resource: 'blob', accept: ['*/*'] },
        ],
      },
    },
  }
  const sets = permissionSetsFrom(new Lexicons([doc]))

  test('only repo:/rpc: under the set authority, no wildcard, no fixed audience', () => {
    const set = sets('com.example.app.authStuff')!
    const granted = includedPermissions({ nsid: set.nsid }, set).map(formatPermission)
    expect(granted).toEqual(['repo?collection=com.example.app.post&collection=com.example.app.sub.like', 'rpc:com.example.app.getThing?aud=*'])
    const withAud = includedPermissions({ nsid: set.nsid, aud: 'did:web:svc.example#api' }, set).map(formatPermission)
    expect(withAud).toContain('rpc:com.example.app.getInherited?aud=did:web:svc.example%23api')
  })

  test('isUnderAuthority compares the group up to the last dot', () => {
    expect(isUnderAuthority('app.bsky.authFullApp', 'app.bsky.feed.post')).toBe(true)
    expect(isUnderAuthority('app.bsky.authFullApp', 'app.bskyother.feed.post')).toBe(false)
    expect(isUnderAuthority('app.bsky.authFullApp', 'app.bsky.')).toBe(false)
    expect(isUnderAuthority('app.bsky.authFullApp', '*')).toBe(false)
  })

  test('formatted permissions parse back to themselves', () => {
    for (const s of ['repo:app.bsky.feed.post?action=create', 'repo:*', 'rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview', 'blob?accept=image/*&accept=video/mp4', 'account:email?action=manage', 'identity:handle']) {
      const p = parsePermission(s)!
      expect(parsePermission(formatPermission(p))).toEqual(p)
    }
  })
})
