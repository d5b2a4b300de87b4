// tools.ozone.safelink.*: URL safety rules with their audit trail, through @atproto/api as Ozone's clients
// call them: add, update, remove, query with filters and paging, and Ozone's error names.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { fails, startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let triage: AtpAgent

beforeAll(async () => {
  h = await startModHarness()
  const tri = await h.signUp('tri')
  await h.server.services.moderation.team.add({ did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, tri.did, 'tools.ozone.team.defs#roleTriage')
  triage = h.viaTeam(tri.agent)
})
afterAll(async () => {
  await h.close()
})

test('add, update and remove a rule; each change is an audit event; the rule list follows', async () => {
  const sl = h.team.tools.ozone.safelink
  const added = await sl.addRule({ url: 'evil.example', pattern: 'domain', action: 'block', reason: 'phishing', comment: 'login page clone' })
  expect(added.data).toMatchObject({ eventType: 'addRule', url: 'evil.example', pattern: 'domain', action: 'block', reason: 'phishing', createdBy: h.teamDid, comment: 'login page clone' })
  expect(typeof added.data.id).toBe('number')
  await sl.addRule({ url: 'https://spam.example/offer', pattern: 'url', action: 'warn', reason: 'spam' })

  const dup = await fails(sl.addRule({ url: 'evil.example', pattern: 'domain', action: 'warn', reason: 'spam' }))
  expect(dup.status).toBe(400)
  expect(dup.error).toBe('RuleAlreadyExists')

  const updated = await sl.updateRule({ url: 'evil.example', pattern: 'domain', action: 'warn', reason: 'spam' })
  expect(updated.data).toMatchObject({ eventType: 'updateRule', action: 'warn', reason: 'spam' })
  expect(updated.data.comment).toBeUndefined()

  const rules = (await sl.queryRules({})).data.rules
  expect(rules.map((r) => r.url)).toEqual(['https://spam.example/offer', 'evil.example']) // newest first
  expect(rules[1]).toMatchObject({ pattern: 'domain', action: 'warn', reason: 'spam', createdBy: h.teamDid })
  expect(rules[1]!.updatedAt >= rules[1]!.createdAt).toBe(true)
  expect((await sl.queryRules({ actions: ['warn'], patternType: 'url' })).data.rules.map((r) => r.url)).toEqual(['https://spam.example/offer'])
  const first = await sl.queryRules({ limit: 1, sortDirection: 'asc' })
  expect(first.data.rules.map((r) => r.url)).toEqual(['evil.example'])
  const next = await sl.queryRules({ limit: 1, sortDirection: 'asc', cursor: first.data.cursor })
  expect(next.data.rules.map((r) => r.url)).toEqual(['https://spam.example/offer'])

  const removed = await sl.removeRule({ url: 'evil.example', pattern: 'domain', comment: 'site taken down' })
  expect(removed.data).toMatchObject({ eventType: 'removeRule', action: 'warn', reason: 'spam', comment: 'site taken down' })
  const gone = await fails(sl.removeRule({ url: 'evil.example', pattern: 'domain' }))
  expect(gone.error).toBe('RuleNotFound')
  expect((await fails(sl.updateRule({ url: 'nowhere.example', pattern: 'domain', action: 'block', reason: 'none' }))).error).toBe('RuleNotFound')
  expect((await sl.queryRules({ urls: ['evil.example'] })).data.rules).toEqual([])

  const events = (await sl.queryEvents({ urls: ['evil.example'], sortDirection: 'asc' })).data.events
  expect(events.map((e) => e.eventType)).toEqual(['addRule', 'updateRule', 'removeRule'])
  expect((await sl.queryEvents({ patternType: 'url' })).data.events.map((e) => e.url)).toEqual(['https://spam.example/offer'])
})

test('bad input and roles: Ozone\'s errors; triage reads but cannot change rules', async () => {
  const sl = h.team.tools.ozone.safelink
  const badPattern = await h.xrpc('tools.ozone.safelink.addRule', { auth: `Bearer ${h.team.session?.accessJwt}`, body: { url: 'x.example', pattern: 'regex', action: 'block', reason: 'spam' } })
  expect(badPattern).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Invalid safelink pattern type' } })
  const badUrl = await fails(sl.addRule({ url: 'has space.example', pattern: 'domain', action: 'block', reason: 'spam' }))
  expect(badUrl.error).toBe('InvalidUrl')
  const badCursor = await fails(sl.queryEvents({ cursor: 'abc' }))
  expect(badCursor.error).toBe('InvalidRequest')

  await sl.addRule({ url: 'readable.example', pattern: 'domain', action: 'whitelist', reason: 'none' })
  expect((await triage.tools.ozone.safelink.queryRules({ urls: ['readable.example'] })).data.rules).toHaveLength(1)
  const refused = await fails(triage.tools.ozone.safelink.removeRule({ url: 'readable.example', pattern: 'domain' }))
  expect(refused.status).toBe(401)
  expect(refused.message).toBe('Must be a moderator to remove URL rules')
  expect((await sl.queryRules({ urls: ['readable.example'] })).data.rules).toHaveLength(1)

  // The operator's admin password: createdBy names the author.
  const byOperator = await h.xrpc('tools.ozone.safelink.addRule', { auth: h.server.adminAuth, body: { url: 'op.example', pattern: 'domain', action: 'block', reason: 'csam', createdBy: 'did:plc:operatoraaaaaaaaaaaaaaaa' } })
  expect(byOperator.status).toBe(200)
  expect(byOperator.body).toMatchObject({ eventType: 'addRule', createdBy: 'did:plc:operatoraaaaaaaaaaaaaaaa' })
  const stranger = await h.signUp('stranger')
  const notMember = await fails(h.viaTeam(stranger.agent).tools.ozone.safelink.queryRules({}))
  expect(notMember.status).toBe(401)
})
