// tools.ozone.signature.* and tools.ozone.hosting.getAccountHistory from what this server knows of its
// accounts: the addresses their sessions came from (X-Forwarded-For from the loopback "proxy"), their
// email domains, the browsers they signed in with (the real OAuth sign-in), and the changes recorded in account.sqlite. Driven through @atproto/api.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { fails, startModHarness, type ModHarness } from './moderation-harness.ts'
import { getCode, newClient } from '../oauth/flow.ts'
import { Browser } from '../oauth/hand-client.ts'
import { OperatorActions } from '../../src/services/admin/actions.ts'
import { ADMIN, AuditLog } from '../../src/services/admin/audit.ts'

let h: ModHarness
let triage: AtpAgent
type Person = { agent: AtpAgent; did: string; handle: string; email: string; password: string }
let eve1: Person
let eve2: Person
let carol: Person

/** An agent whose every request (session management included) says it came from `ip`. */
function from(ip: string): AtpAgent {
  const fetchFrom: typeof fetch = Object.assign((input: Request | string | URL, init?: RequestInit) => {
    const req = new Request(input as string, init)
    req.headers.set('x-forwarded-for', ip)
    return fetch(req)
  }, fetch)
  return new AtpAgent({ service: h.server.url, fetch: fetchFrom })
}

async function signUpFrom(ip: string, name: string, domain: string): Promise<Person> {
  const agent = from(ip)
  const p = { handle: `${name}.test`, email: `${name}@${domain}`, password: `${name}-password` }
  const res = await agent.createAccount(p)
  return { agent, did: res.data.did, ...p }
}

beforeAll(async () => {
  h = await startModHarness()
  eve1 = await signUpFrom('203.0.113.7', 'eve1', 'evil.example')
  eve2 = await signUpFrom('198.51.100.2', 'eve2', 'Evil.Example')
  carol = await signUpFrom('192.0.2.50', 'carol', 'mail.example')
  // eve2 later signs in from eve1's address.
  await from('203.0.113.7').login({ identifier: eve2.handle, password: eve2.password })
  const tri = await h.signUp('tri')
  await h.server.services.moderation.team.add({ did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, tri.did, 'tools.ozone.team.defs#roleTriage')
  triage = h.viaTeam(tri.agent)
})
afterAll(async () => {
  await h.close()
})

test('findCorrelation: the signatures all the accounts share', async () => {
  const sig = h.team.tools.ozone.signature
  const shared = (await sig.findCorrelation({ dids: [eve1.did, eve2.did] })).data.details
  expect(shared).toEqual([
    { property: 'ip', value: '203.0.113.7' },
    { property: 'emailDomain', value: 'evil.example' },
  ])
  expect((await sig.findCorrelation({ dids: [eve1.did, carol.did] })).data.details).toEqual([])
  expect((await sig.findCorrelation({ dids: [eve1.did, eve2.did, carol.did] })).data.details).toEqual([])
})

test('findRelatedAccounts and searchAccounts: accounts with the signatures, as admin account views', async () => {
  const sig = h.team.tools.ozone.signature
  const related = (await sig.findRelatedAccounts({ did: eve2.did })).data
  expect(related.accounts).toHaveLength(1)
  expect(related.accounts[0]!.account).toMatchObject({ did: eve1.did, handle: eve1.handle, email: eve1.email })
  expect(related.accounts[0]!.similarities).toEqual([
    { property: 'emailDomain', value: 'evil.example' },
    { property: 'ip', value: '203.0.113.7' },
  ])
  expect(related.cursor).toBeUndefined()
  // The team's own accounts share 127.0.0.1 and example.com, none of carol's signatures.
  expect((await sig.findRelatedAccounts({ did: carol.did })).data.accounts).toEqual([])

  const byIp = (await sig.searchAccounts({ values: ['203.0.113.7'] })).data.accounts
  expect(byIp.map((a) => a.did).sort()).toEqual([eve1.did, eve2.did].sort())
  expect((await sig.searchAccounts({ values: ['mail.example'] })).data.accounts.map((a) => a.handle)).toEqual([carol.handle])
  const page1 = await sig.searchAccounts({ values: ['evil.example', '192.0.2.50'], limit: 2 })
  expect(page1.data.accounts).toHaveLength(2)
  const page2 = await sig.searchAccounts({ values: ['evil.example', '192.0.2.50'], limit: 2, cursor: page1.data.cursor })
  expect(page2.data.accounts).toHaveLength(1)
  expect(page2.data.cursor).toBeUndefined()
  expect([...page1.data.accounts, ...page2.data.accounts].map((a) => a.did).sort()).toEqual([eve1.did, eve2.did, carol.did].sort())
  expect((await sig.searchAccounts({ values: ['198.51.100.99'] })).data.accounts).toEqual([])
})

test('getAccountHistory: the account\'s real changes, who made them, filters and paging', async () => {
  const agent = eve2.agent
  await agent.com.atproto.server.requestEmailConfirmation()
  await agent.com.atproto.server.confirmEmail({ email: eve2.email.toLowerCase(), token: await h.smtp.tokenFor(eve2.email.toLowerCase()) })
  await agent.com.atproto.identity.updateHandle({ handle: 'eve2-renamed.test' })
  await agent.com.atproto.server.requestPasswordReset({ email: eve2.email.toLowerCase() })
  await agent.com.atproto.server.resetPassword({ token: await h.smtp.tokenFor(eve2.email.toLowerCase()), password: 'new-password' })
  await agent.login({ identifier: eve2.did, password: 'new-password' })
  await agent.com.atproto.server.requestEmailUpdate()
  await agent.com.atproto.server.updateEmail({ email: 'eve2@elsewhere.example', token: await h.smtp.tokenFor(eve2.email.toLowerCase()) })
  await agent.com.atproto.server.deactivateAccount({})
  await agent.com.atproto.server.activateAccount()
  const mod = h.team.tools.ozone.moderation
  const subject = { $type: 'com.atproto.admin.defs#repoRef', did: eve2.did }
  const takedown = await mod.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventTakedown' }, subject, createdBy: h.teamDid })
  await mod.emitEvent({ event: { $type: 'tools.ozone.moderation.defs#modEventReverseTakedown' }, subject, createdBy: h.teamDid })

  const history = (await h.team.tools.ozone.hosting.getAccountHistory({ did: eve2.did })).data
  const A = 'tools.ozone.hosting.getAccountHistory#'
  expect(history.events.map((e) => [e.details.$type, e.createdBy])).toEqual([
    [`${A}takedownReversed`, h.teamDid],
    [`${A}accountTakendown`, h.teamDid],
    [`${A}accountReactivated`, eve2.did],
    [`${A}accountDeactivated`, eve2.did],
    [`${A}emailUpdated`, eve2.did],
    [`${A}passwordUpdated`, eve2.did],
    [`${A}handleUpdated`, eve2.did],
    [`${A}emailConfirmed`, eve2.did],
    [`${A}accountCreated`, eve2.did],
  ])
  const byType: Record<string, unknown> = Object.fromEntries(history.events.map((e) => [e.details.$type, e.details]))
  expect(byType[`${A}accountCreated`]).toEqual({ $type: `${A}accountCreated`, email: 'eve2@evil.example', handle: eve2.handle })
  expect(byType[`${A}emailConfirmed`]).toEqual({ $type: `${A}emailConfirmed`, email: 'eve2@evil.example' })
  expect(byType[`${A}handleUpdated`]).toEqual({ $type: `${A}handleUpdated`, handle: 'eve2-renamed.test' })
  expect(byType[`${A}emailUpdated`]).toEqual({ $type: `${A}emailUpdated`, email: 'eve2@elsewhere.example' })
  expect(byType[`${A}accountTakendown`]).toEqual({ $type: `${A}accountTakendown`, ref: `TAKEDOWN-${takedown.data.id}` })
  const times = history.events.map((e) => Date.parse(e.createdAt))
  expect(times).toEqual([...times].sort((a, b) => b - a))

  const filtered = (await h.team.tools.ozone.hosting.getAccountHistory({ did: eve2.did, events: ['handleUpdated', 'emailUpdated'] })).data.events
  expect(filtered.map((e) => e.details.$type)).toEqual([`${A}emailUpdated`, `${A}handleUpdated`])
  const page1 = await h.team.tools.ozone.hosting.getAccountHistory({ did: eve2.did, limit: 5 })
  const page2 = await h.team.tools.ozone.hosting.getAccountHistory({ did: eve2.did, limit: 5, cursor: page1.data.cursor })
  expect([...page1.data.events, ...page2.data.events]).toEqual(history.events)
  expect(page2.data.cursor).toBeUndefined()
})

test('a change made in the operator console names the operator as its author', async () => {
  // The console's own action service over the running server's account store (what its forms call).
  const actions = new OperatorActions(h.server.services.accounts, new AuditLog(h.server.services.accounts.manager.db))
  await actions.changeHandle({ by: ADMIN, ip: '192.0.2.9' }, eve1.did, 'eve1-by-operator.test')
  actions.takedown({ by: ADMIN, ip: '192.0.2.9' }, eve1.did, 'spam wave')
  const events = (await h.team.tools.ozone.hosting.getAccountHistory({ did: eve1.did, limit: 2 })).data.events
  expect(events.map((e) => [e.details as unknown, e.createdBy])).toEqual([
    [{ $type: 'tools.ozone.hosting.getAccountHistory#accountTakendown', ref: 'spam wave' }, 'admin'],
    [{ $type: 'tools.ozone.hosting.getAccountHistory#handleUpdated', handle: 'eve1-by-operator.test' }, 'admin'],
  ])
  actions.reverseTakedown({ by: ADMIN, ip: null }, eve1.did, '')
})

test('a deleted account keeps its history without email addresses, and its session addresses go', async () => {
  const res = await h.xrpc('com.atproto.admin.deleteAccount', { auth: h.server.adminAuth, body: { did: carol.did }, proxy: false })
  expect(res.status).toBe(200)
  const events = (await h.team.tools.ozone.hosting.getAccountHistory({ did: carol.did })).data.events
  expect(events.map((e) => e.details as unknown)).toEqual([
    { $type: 'tools.ozone.hosting.getAccountHistory#accountDeleted', handle: carol.handle },
    { $type: 'tools.ozone.hosting.getAccountHistory#accountCreated', handle: carol.handle },
  ])
  expect(events[0]!.createdBy).toBe(carol.did) // the admin API, not the console: no operator is named
  expect((await h.team.tools.ozone.signature.searchAccounts({ values: ['192.0.2.50'] })).data.accounts).toEqual([])
  const gone = await fails(h.team.tools.ozone.signature.findRelatedAccounts({ did: carol.did }))
  expect([gone.status, gone.error, gone.message]).toEqual([400, 'AccountNotFound', `Account not found: ${carol.did}`])
})

test('roles and bad input: moderators only, clear errors', async () => {
  for (const call of [
    () => triage.tools.ozone.signature.findCorrelation({ dids: [eve1.did, eve2.did] }),
    () => triage.tools.ozone.signature.searchAccounts({ values: ['203.0.113.7'] }),
    () => triage.tools.ozone.hosting.getAccountHistory({ did: eve1.did }),
  ]) {
    const err = await fails(call())
    expect(err.status).toBe(401)
    expect(err.message).toMatch(/^Must be a moderator to see account (signatures|history)$/)
  }
  const stranger = h.viaTeam((await h.signUp('stranger')).agent)
  const notMember = await fails(stranger.tools.ozone.signature.findRelatedAccounts({ did: eve1.did }))
  expect([notMember.status, notMember.message]).toEqual([401, 'not a moderator account'])
  expect((await fails(eve1.agent.withProxy('atproto_labeler', h.teamDid as `did:${string}:${string}`).tools.ozone.hosting.getAccountHistory({ did: eve1.did }))).status).toBe(401)

  const sig = h.team.tools.ozone.signature
  const one = await fails(sig.findCorrelation({ dids: [eve1.did] }))
  expect([one.status, one.error, one.message]).toEqual([400, 'InvalidRequest', 'Correlation needs at least two accounts'])
  const auth = `Bearer ${h.team.session?.accessJwt}`
  expect((await h.xrpc('tools.ozone.signature.findCorrelation', { auth, params: { dids: ['not-a-did', eve1.did] } })).status).toBe(400)
  expect(await h.xrpc('tools.ozone.signature.searchAccounts', { auth, params: { values: ['1.2.3.4'], cursor: 'x' } })).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
  expect((await h.xrpc('tools.ozone.hosting.getAccountHistory', { auth, params: {} })).body.error).toBe('InvalidRequest')
  expect((await h.xrpc('tools.ozone.hosting.getAccountHistory', { auth, params: { did: eve1.did, limit: '500' } })).status).toBe(400)
  expect(await h.xrpc('tools.ozone.hosting.getAccountHistory', { auth, params: { did: eve1.did, cursor: 'later' } })).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
})

test('a browser two accounts signed in with (OAuth) is a signature, shown and searched by a digest', async () => {
  const dan1 = await signUpFrom('192.0.2.71', 'dan1', 'dan1.example')
  const dan2 = await signUpFrom('192.0.2.72', 'dan2', 'dan2.example')
  const browser = new Browser(h.server.url)
  // prompt=login: the second account signs in on the sign-in form rather than the chooser.
  for (const dan of [dan1, dan2]) await getCode(h.server, await newClient(h.server), { identifier: dan.handle, password: dan.password, browser, extra: { prompt: 'login' } })

  const shared = (await h.team.tools.ozone.signature.findCorrelation({ dids: [dan1.did, dan2.did] })).data.details
  const device = shared.find((d) => d.property === 'device')
  expect(device?.value).toMatch(/^[0-9a-f]{16}$/)
  expect(JSON.stringify(shared)).not.toContain('dev-') // never the cookie's device id itself
  const found = (await h.team.tools.ozone.signature.searchAccounts({ values: [device!.value] })).data.accounts
  expect(found.map((a) => a.did).sort()).toEqual([dan1.did, dan2.did].sort())
  const related = (await h.team.tools.ozone.signature.findRelatedAccounts({ did: dan1.did })).data.accounts
  expect(related[0]!.account.did).toBe(dan2.did) // the browser and its address: the most shared
  expect(related[0]!.similarities).toContainEqual(device!)
})
