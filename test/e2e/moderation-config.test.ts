// The team's configuration over the official client: email templates, settings (instance and personal,
// with manager roles) and sets, with Ozone's role rules and error names.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let tri: AtpAgent
let triDid: string

beforeAll(async () => {
  h = await startModHarness()
  const t = await h.signUp('tri')
  triDid = t.did
  tri = h.viaTeam(t.agent)
  await h.team.tools.ozone.team.addMember({ did: t.did, role: 'tools.ozone.team.defs#roleTriage' })
})

afterAll(async () => {
  await h.close()
})

test('communication templates: create, list, update, duplicate names refused, delete; triage may not', async () => {
  const c = h.team.tools.ozone.communication
  const created = await c.createTemplate({ name: 'spam-warning', subject: 'About your posts', contentMarkdown: 'Please stop.', createdBy: h.teamDid })
  expect(created.data).toMatchObject({ name: 'spam-warning', subject: 'About your posts', contentMarkdown: 'Please stop.', disabled: false, lastUpdatedBy: h.teamDid })
  const dup = await c.createTemplate({ name: 'spam-warning', subject: 'x', contentMarkdown: 'y' }).catch((e) => e)
  expect(dup.error).toBe('DuplicateTemplateName')
  const updated = await c.updateTemplate({ id: created.data.id, disabled: true, contentMarkdown: 'Please stop now.' })
  expect(updated.data).toMatchObject({ disabled: true, contentMarkdown: 'Please stop now.', name: 'spam-warning' })
  expect((await c.listTemplates()).data.communicationTemplates.map((t) => t.name)).toEqual(['spam-warning'])
  const refused = await tri.tools.ozone.communication.createTemplate({ name: 'other', subject: 's', contentMarkdown: 'c' }).catch((e) => e)
  expect(refused.message).toBe('Must be a full moderator to create a communication template')
  await c.deleteTemplate({ id: created.data.id })
  expect((await c.listTemplates()).data.communicationTemplates).toEqual([])
})

test('settings: instance options need the manager role; personal ones belong to the caller', async () => {
  const s = h.team.tools.ozone.setting
  await s.upsertOption({ key: 'tools.ozone.setting.client.queues', scope: 'instance', value: { val: ['a'] }, managerRole: 'tools.ozone.team.defs#roleTriage', description: 'queues' })
  const byTriage = await tri.tools.ozone.setting.upsertOption({ key: 'tools.ozone.setting.client.queues', scope: 'instance', value: { val: ['a', 'b'] } })
  expect(byTriage.data.option).toMatchObject({ value: { val: ['a', 'b'] }, lastUpdatedBy: triDid, createdBy: h.teamDid, managerRole: 'tools.ozone.team.defs#roleTriage' })
  await s.upsertOption({ key: 'tools.ozone.setting.protected', scope: 'instance', value: { val: true } })
  const refused = await tri.tools.ozone.setting.upsertOption({ key: 'tools.ozone.setting.protected', scope: 'instance', value: { val: false } }).catch((e) => e)
  expect(refused.status).toBe(400)
  await tri.tools.ozone.setting.upsertOption({ key: 'tools.ozone.setting.client.theme', scope: 'personal', value: { val: 'dark' } })
  expect((await tri.tools.ozone.setting.listOptions({ scope: 'personal' })).data.options.map((o) => o.key)).toEqual(['tools.ozone.setting.client.theme'])
  expect((await s.listOptions({ scope: 'personal' })).data.options).toEqual([])
  const instance = await s.listOptions({ scope: 'instance', prefix: 'tools.ozone.setting.client' })
  expect(instance.data.options.map((o) => o.key)).toEqual(['tools.ozone.setting.client.queues'])
  await s.removeOptions({ keys: ['tools.ozone.setting.client.queues'], scope: 'instance' })
  expect((await s.listOptions({ scope: 'instance' })).data.options.map((o) => o.key)).toEqual(['tools.ozone.setting.protected'])
})

test('sets: upsert, add and remove values, page them, SetNotFound', async () => {
  const s = h.team.tools.ozone.set
  expect((await s.upsertSet({ name: 'bad-domains', description: 'spam hosts' })).data).toMatchObject({ name: 'bad-domains', setSize: 0 })
  await s.addValues({ name: 'bad-domains', values: ['a.example', 'b.example', 'c.example'] })
  await s.deleteValues({ name: 'bad-domains', values: ['b.example'] })
  const page1 = await s.getValues({ name: 'bad-domains', limit: 1 })
  expect(page1.data).toMatchObject({ set: { name: 'bad-domains', setSize: 2 }, values: ['a.example'] })
  const page2 = await s.getValues({ name: 'bad-domains', limit: 1, cursor: page1.data.cursor })
  expect(page2.data.values).toEqual(['c.example'])
  expect((await s.querySets({ namePrefix: 'bad' })).data.sets.map((x) => x.name)).toEqual(['bad-domains'])
  expect((await s.addValues({ name: 'nope', values: ['x'] }).catch((e) => e)).error).toBe('SetNotFound')
  expect((await tri.tools.ozone.set.addValues({ name: 'bad-domains', values: ['x'] }).catch((e) => e)).status).toBe(401)
  await s.deleteSet({ name: 'bad-domains' })
  expect((await s.getValues({ name: 'bad-domains' }).catch((e) => e)).error).toBe('SetNotFound')
})
