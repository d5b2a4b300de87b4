// An OAuth app calling the bundled moderation service for a team member, as the reference PDS checks an
// OAuth token on a call it forwards to Ozone: rpc:<method>?aud=<team DID>#atproto_labeler (or
// transition:generic) lets queryStatuses and emitEvent through, with the atproto-proxy header or without it
// (the bundled service is then the default moderation service); a method outside the granted scope is
// refused with ScopeMissingError (403) and changes nothing; a non-member with the scope is still not a moderator.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { dpopProof, sha256, type HandClient } from '../oauth/hand-client.ts'
import { login, newClient } from '../oauth/flow.ts'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let post: { uri: string; cid: string }
let aud: string

beforeAll(async () => {
  h = await startModHarness()
  aud = `${h.teamDid}#atproto_labeler`
  const bob = await h.signUp('bob')
  post = await bob.agent.post({ text: 'reported', createdAt: new Date().toISOString() })
})

afterAll(async () => {
  await h.close()
})

type Call = (nsid: string, o?: { params?: Record<string, string>; json?: unknown; proxy?: boolean }) => Promise<{ status: number; body: any }>

/** Signs in through the OAuth flow with `scope` and returns a DPoP caller (one retry on use_dpop_nonce). */
async function oauthApp(account: { handle: string; password: string }, scope: string): Promise<Call> {
  const client: HandClient = await newClient(h.server)
  const { tokens } = await login(h.server, client, { identifier: account.handle, password: account.password, scope })
  expect(tokens.scope).toBe(scope)
  const token = tokens.access_token
  return async (nsid, o = {}) => {
    const url = `${h.server.url}/xrpc/${nsid}${o.params ? `?${new URLSearchParams(o.params)}` : ''}`
    const method = o.json === undefined ? 'GET' : 'POST'
    const send = async () => {
      const proof = await dpopProof(client.key, { htm: method, htu: `${client.issuer}/xrpc/${nsid}`, nonce: client.nonce, ath: sha256(token) })
      const headers: Record<string, string> = { authorization: `DPoP ${token}`, dpop: proof }
      if (o.proxy !== false) headers['atproto-proxy'] = aud
      if (o.json !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(url, { method, headers, body: o.json === undefined ? undefined : JSON.stringify(o.json) })
      client.nonce = res.headers.get('dpop-nonce') ?? client.nonce
      return res
    }
    let res = await send()
    if (res.status === 401 && res.headers.get('www-authenticate')?.includes('use_dpop_nonce')) res = await send()
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
}

const scopeFor = (...methods: string[]) => ['atproto', ...methods.map((m) => `rpc:${m}?aud=${encodeURIComponent(aud)}`)].join(' ')
const lead = { handle: 'mod.test', password: 'mod-password' }
const acknowledge = (comment: string) => ({
  event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge', comment },
  subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
  createdBy: h.teamDid,
})
const eventsOnPost = async () => (await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events

test('rpc:<method>?aud=<team>#atproto_labeler lets an app query statuses and emit events for a member, with or without the proxy header', async () => {
  const call = await oauthApp(lead, scopeFor('tools.ozone.moderation.queryStatuses', 'tools.ozone.moderation.emitEvent'))
  const emitted = await call('tools.ozone.moderation.emitEvent', { json: acknowledge('from an app') })
  expect(emitted.status).toBe(200)
  expect(emitted.body).toMatchObject({ event: { $type: 'tools.ozone.moderation.defs#modEventAcknowledge', comment: 'from an app' }, createdBy: h.teamDid })
  const statuses = await call('tools.ozone.moderation.queryStatuses', { params: { subject: post.uri } })
  expect(statuses.status).toBe(200)
  expect(statuses.body.subjectStatuses.map((s: any) => s.subject.uri)).toEqual([post.uri])
  // No header: the bundled service is this server's moderation service, the scope's audience the same.
  const direct = await call('tools.ozone.moderation.queryStatuses', { params: { subject: post.uri }, proxy: false })
  expect(direct.status).toBe(200)
  expect(direct.body.subjectStatuses).toHaveLength(1)
})

test('without the method in its scope the app is refused with ScopeMissingError and nothing changes', async () => {
  const call = await oauthApp(lead, scopeFor('tools.ozone.moderation.queryStatuses'))
  const before = (await eventsOnPost()).length
  for (const proxy of [true, false]) {
    const refused = await call('tools.ozone.moderation.emitEvent', { json: acknowledge('not allowed'), proxy })
    expect(refused.status).toBe(403)
    expect(refused.body.error).toBe('ScopeMissingError')
    expect(refused.body.message).toContain(`rpc:tools.ozone.moderation.emitEvent?aud=${h.teamDid}#atproto_labeler`)
  }
  expect((await eventsOnPost()).length).toBe(before)
  expect((await call('tools.ozone.moderation.queryStatuses', { params: { subject: post.uri } })).status).toBe(200)
  // Another audience in the scope does not stand for this service.
  const elsewhere = await oauthApp(lead, `atproto rpc:tools.ozone.moderation.queryStatuses?aud=${encodeURIComponent('did:web:ozone.example#atproto_labeler')}`)
  expect((await elsewhere('tools.ozone.moderation.queryStatuses')).body.error).toBe('ScopeMissingError')
})

test('transition:generic covers tools.ozone.* as every non-chat rpc: call; a non-member with it is still refused', async () => {
  const call = await oauthApp(lead, 'atproto transition:generic')
  const emitted = await call('tools.ozone.moderation.emitEvent', { json: acknowledge('generic') })
  expect(emitted.status).toBe(200)
  const outsider = await h.signUp('eve')
  const eve = await oauthApp(outsider, 'atproto transition:generic')
  const before = (await eventsOnPost()).length
  const refused = await eve('tools.ozone.moderation.emitEvent', { json: { ...acknowledge('eve'), createdBy: outsider.did } })
  expect(refused.status).toBe(401)
  expect(refused.body.message).toBe('not a moderator account')
  expect((await eventsOnPost()).length).toBe(before)
})
