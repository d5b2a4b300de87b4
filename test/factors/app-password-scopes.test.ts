// The presets and custom scopes of scoped app passwords, against the bundled permission sets.
import { expect, test } from 'bun:test'
import { Lexicons } from '../../src/core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { permissionSetsFrom } from '../../src/services/oauth/permission-sets.ts'
import { ScopePermissions } from '../../src/services/oauth/scopes.ts'
import { resolveAppPasswordScope } from '../../src/services/oauth/app-password-scopes.ts'

const sets = permissionSetsFrom(new Lexicons(LEXICON_SOURCES, { lazy: true }))
const granted = (asked: string) => new ScopePermissions(resolveAppPasswordScope(asked, sets))
const CHAT = 'did:web:api.bsky.chat#bsky_chat'
const APPVIEW = 'did:web:api.bsky.app#bsky_appview'

test('full (or nothing) is the old unscoped kind', () => {
  expect(resolveAppPasswordScope(undefined, sets)).toBeNull()
  expect(resolveAppPasswordScope('  ', sets)).toBeNull()
  expect(resolveAppPasswordScope('full', sets)).toBeNull()
})

test('chat: conversations with any chat service, nothing else', () => {
  const chat = granted('chat')
  expect(chat.allowsRpc({ lxm: 'chat.bsky.convo.sendMessage', aud: CHAT })).toBe(true)
  expect(chat.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(false)
  expect(chat.allowsRepo({ collection: 'app.bsky.feed.post', action: 'create' })).toBe(false)
  expect(chat.allowsRepo({ collection: 'chat.bsky.actor.declaration', action: 'update' })).toBe(true)
})

test('read-only and post-only', () => {
  const read = granted('read-only')
  expect(read.allowsRpc({ lxm: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(true)
  expect(read.allowsRpc({ lxm: 'app.bsky.actor.putPreferences', aud: APPVIEW })).toBe(false)
  expect(read.allowsBlob({ mime: 'image/png' })).toBe(false)
  const poster = granted('post-only')
  expect(poster.allowsRepo({ collection: 'app.bsky.feed.post', action: 'create' })).toBe(true)
  expect(poster.allowsRepo({ collection: 'app.bsky.feed.post', action: 'delete' })).toBe(false)
  expect(poster.allowsRepo({ collection: 'app.bsky.feed.like', action: 'create' })).toBe(false)
  expect(poster.allowsBlob({ mime: 'video/mp4' })).toBe(true)
})

test('custom scopes: validated, include: expanded, atproto added', () => {
  expect(resolveAppPasswordScope('repo:app.bsky.feed.like?action=create', sets)).toBe('atproto repo:app.bsky.feed.like?action=create')
  const included = resolveAppPasswordScope(`include:app.bsky.authManageProfile atproto`, sets)!
  expect(included.startsWith('atproto ')).toBe(true)
  expect(included).not.toContain('include:')
  expect(new ScopePermissions(included).allowsRepo({ collection: 'app.bsky.actor.profile', action: 'update' })).toBe(true)
  for (const bad of ['nonsense', 'repo:', 'rpc:*?aud=*', 'include:com.example.nope', 'x'.repeat(5000)]) {
    expect(() => resolveAppPasswordScope(bad, sets)).toThrow()
  }
})
