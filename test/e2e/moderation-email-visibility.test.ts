// Ozone shows an account's email to moderators and admins only: triage members and verifiers get the
// same account views without it (getRepo(s), getRecord, getSubjects, searchRepos, reports).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let triage: AtpAgent
let moderator: AtpAgent
let author: { did: string; agent: AtpAgent }
let postUri: string

beforeAll(async () => {
  h = await startModHarness()
  const lead = { did: h.teamDid, role: 'tools.ozone.team.defs#roleAdmin' }
  const tri = await h.signUp('etri')
  const mod = await h.signUp('emod')
  await h.server.services.moderation.team.add(lead, tri.did, 'tools.ozone.team.defs#roleTriage')
  await h.server.services.moderation.team.add(lead, mod.did, 'tools.ozone.team.defs#roleModerator')
  triage = h.viaTeam(tri.agent)
  moderator = h.viaTeam(mod.agent)
  author = await h.signUp('eauthor')
  const post = await author.agent.com.atproto.repo.createRecord({
    repo: author.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text: 'reported', createdAt: new Date().toISOString() },
  })
  postUri = post.data.uri
  const reporter = await h.signUp('ereporter')
  await h.viaTeam(reporter.agent).com.atproto.moderation.createReport({
    reasonType: 'com.atproto.moderation.defs#reasonSpam',
    subject: { $type: 'com.atproto.repo.strongRef', uri: post.data.uri, cid: post.data.cid },
  })
})
afterAll(async () => {
  await h.close()
})

test('moderators see the account email; triage sees the same views without it', async () => {
  const email = (await h.server.services.accounts.getAccount(author.did))?.email
  expect(email).toContain('@')
  const views = async (agent: AtpAgent) => {
    const oz = agent.tools.ozone
    return {
      repo: (await oz.moderation.getRepo({ did: author.did })).data,
      repos: (await oz.moderation.getRepos({ dids: [author.did] })).data.repos[0] as Record<string, unknown>,
      record: (await oz.moderation.getRecord({ uri: postUri })).data.repo as unknown as Record<string, unknown>,
      subject: (await oz.moderation.getSubjects({ subjects: [author.did] })).data.subjects[0]!.repo as unknown as Record<string, unknown>,
      search: (await oz.moderation.searchRepos({ q: author.did })).data.repos[0] as unknown as Record<string, unknown>,
      reports: JSON.stringify((await oz.report.queryReports({ status: 'open' })).data),
    }
  }
  const seenByModerator = await views(moderator)
  const seenByTriage = await views(triage)
  for (const key of ['repo', 'repos', 'record', 'subject', 'search'] as const) {
    expect(seenByModerator[key].email).toBe(email)
    expect(seenByTriage[key].did).toBe(author.did)
    expect(seenByTriage[key].email).toBeUndefined()
  }
  expect(seenByModerator.reports).toContain(email!)
  expect(seenByTriage.reports).toContain(author.did)
  expect(seenByTriage.reports).not.toContain(email!)
  // Everything else is the same view.
  const { email: _, ...rest } = seenByModerator.repo as unknown as Record<string, unknown>
  expect(seenByTriage.repo).toEqual(rest as never)
})
