// Scoped app passwords: the scope travels in the session JWT, survives refresh, and every method
// checks it as for OAuth tokens. Old-style app passwords keep working unchanged.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import * as jose from 'jose'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'

let h: AccountHarness
let fakes: ReturnType<typeof startFakeServices>
let owner: Awaited<ReturnType<AccountHarness['signUp']>>

beforeAll(async () => {
  // The fake AppView checks service JWTs against the harness's PLC directory (known once it runs).
  let resolveKey: ReturnType<typeof didKeyResolver> | undefined
  fakes = startFakeServices((...args) => resolveKey!(...args))
  h = await startAccountHarness(fakes.env)
  resolveKey = didKeyResolver(new SimpleDidResolver({ plcUrl: h.plc.url, allowHttpWeb: true }))
  fakes.appView.on('app.bsky.feed.getTimeline', () => Response.json({ feed: [] }))
  owner = await h.signUp('sam')
})
afterAll(async () => {
  await h.close()
  fakes.close()
})

type XrpcFailure = { error?: string; status?: number; message?: string }
const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as XrpcFailure | undefined

/** Creates an app password with `scope` (our extension of the lexicon input) and signs in with it. */
async function appPasswordAgent(name: string, scope?: string): Promise<AtpAgent> {
  const input = scope === undefined ? { name } : ({ name, scope } as { name: string })
  const { data } = await owner.agent.com.atproto.server.createAppPassword(input)
  const agent = h.agent()
  await agent.login({ identifier: owner.handle, password: data.password })
  return agent
}

const post = (agent: AtpAgent, text: string) => agent.com.atproto.repo.createRecord({ repo: owner.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() } })
const like = (agent: AtpAgent, uri: string, cid: string) =>
  agent.com.atproto.repo.createRecord({ repo: owner.did, collection: 'app.bsky.feed.like', record: { $type: 'app.bsky.feed.like', subject: { uri, cid }, createdAt: new Date().toISOString() } })
const png = () => Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')

describe('scoped app passwords', () => {
  test('read-only reads but cannot write records, blobs or preferences', async () => {
    const agent = await appPasswordAgent('reader', 'read-only')
    expect((await agent.com.atproto.server.getSession()).data.did).toBe(owner.did)
    expect((await agent.app.bsky.feed.getTimeline()).data.feed).toEqual([])
    expect((await agent.app.bsky.actor.getPreferences()).data.preferences).toEqual([])
    const denied = await errorOf(post(agent, 'hi'))
    expect(denied).toMatchObject({ status: 403, error: 'ScopeMissingError', message: 'Missing required scope "repo:app.bsky.feed.post?action=create"' })
    expect((await errorOf(agent.com.atproto.repo.uploadBlob(png(), { encoding: 'image/png' })))?.error).toBe('ScopeMissingError')
    expect((await errorOf(agent.app.bsky.actor.putPreferences({ preferences: [] })))?.error).toBe('ScopeMissingError')
    expect((await errorOf(agent.com.atproto.identity.updateHandle({ handle: 'other.test' })))?.error).toBe('ScopeMissingError')
  })

  test('post-only posts (with images) but cannot like or delete; refresh keeps the scope', async () => {
    const agent = await appPasswordAgent('poster', 'post-only')
    const created = (await post(agent, 'from a post-only password')).data
    expect((await agent.com.atproto.repo.uploadBlob(png(), { encoding: 'image/png' })).data.blob).toBeDefined()
    expect((await errorOf(like(agent, created.uri, created.cid)))?.error).toBe('ScopeMissingError')
    const rkey = created.uri.split('/').pop()!
    expect((await errorOf(agent.com.atproto.repo.deleteRecord({ repo: owner.did, collection: 'app.bsky.feed.post', rkey })))?.error).toBe('ScopeMissingError')
    expect((await errorOf(agent.com.atproto.repo.applyWrites({ repo: owner.did, writes: [{ $type: 'com.atproto.repo.applyWrites#delete', collection: 'app.bsky.feed.post', rkey }] })))?.error).toBe(
      'ScopeMissingError',
    )

    const before = agent.session!
    const claims = jose.decodeJwt(before.accessJwt)
    expect(claims.scope).toBe('com.atproto.appPass')
    expect(claims.appPassScope).toContain('collection=app.bsky.feed.post&')
    await agent.sessionManager.refreshSession()
    expect(agent.session!.refreshJwt).not.toBe(before.refreshJwt) // rotated: a new session token pair
    expect(jose.decodeJwt(agent.session!.accessJwt).appPassScope).toBe(claims.appPassScope)
    expect((await errorOf(like(agent, created.uri, created.cid)))?.error).toBe('ScopeMissingError')
    expect((await post(agent, 'still posting after refresh')).data.uri).toContain('app.bsky.feed.post')
  })

  test('custom scopes; list shows them; a scoped password cannot manage app passwords', async () => {
    const agent = await appPasswordAgent('liker', 'repo:app.bsky.feed.like?action=create')
    const target = (await post(owner.agent, 'like me')).data
    expect((await like(agent, target.uri, target.cid)).data.uri).toContain('app.bsky.feed.like')
    expect((await errorOf(post(agent, 'no')))?.error).toBe('ScopeMissingError')
    // Closed to OAuth tokens, so closed to scoped app passwords.
    expect(await errorOf(agent.com.atproto.server.createAppPassword({ name: 'escalate' }))).toMatchObject({ status: 403, message: 'OAuth credentials are not supported for this endpoint' })

    // A full-access method opens to the scope that covers it, exactly as for OAuth.
    const handles = await appPasswordAgent('handles', 'identity:handle')
    await handles.com.atproto.identity.updateHandle({ handle: owner.handle })
    expect((await errorOf(agent.com.atproto.identity.updateHandle({ handle: owner.handle })))?.error).toBe('ScopeMissingError')

    const listed = (await owner.agent.com.atproto.server.listAppPasswords()).data.passwords as Array<{ name: string; scope?: string }>
    expect(listed.find((p) => p.name === 'liker')?.scope).toBe('atproto repo:app.bsky.feed.like?action=create')
    expect(listed.find((p) => p.name === 'reader')?.scope).toContain('lxm=app.bsky.feed.getTimeline')
  })

  test('old-style app passwords keep their behaviour; bad scopes are refused', async () => {
    const plain = await appPasswordAgent('plain')
    const target = (await post(plain, 'plain app password')).data
    expect((await like(plain, target.uri, target.cid)).data.uri).toContain('app.bsky.feed.like')
    expect(jose.decodeJwt(plain.session!.accessJwt).appPassScope).toBeUndefined()
    const full = await appPasswordAgent('full-preset', 'full')
    expect((await post(full, 'full preset is the old kind')).data.uri).toBeDefined()

    const create = (input: Record<string, unknown>) => owner.agent.com.atproto.server.createAppPassword(input as { name: string })
    expect(await errorOf(create({ name: 'bad1', scope: 'repo:not a collection' }))).toMatchObject({ status: 400, error: 'InvalidScope' })
    expect(await errorOf(create({ name: 'bad2', scope: 'include:com.example.unknownSet?aud=did:web:x.example%23svc' }))).toMatchObject({ status: 400, error: 'InvalidScope' })
    expect(await errorOf(create({ name: 'bad3', scope: 'read-only', privileged: true }))).toMatchObject({ status: 400, error: 'InvalidScope' })
    expect(await errorOf(create({ name: 'bad4', scope: 42 }))).toMatchObject({ status: 400 })
    const names = (await owner.agent.com.atproto.server.listAppPasswords()).data.passwords.map((p) => p.name)
    expect(names.some((n) => n.startsWith('bad'))).toBe(false)
  })

  test('a revoked scoped password stops refreshing', async () => {
    const agent = await appPasswordAgent('gone', 'read-only')
    await owner.agent.com.atproto.server.revokeAppPassword({ name: 'gone' })
    expect(await errorOf(agent.com.atproto.server.refreshSession(undefined, { headers: { authorization: `Bearer ${agent.session!.refreshJwt}` } }))).toMatchObject({
      status: 400,
    })
  })
})
