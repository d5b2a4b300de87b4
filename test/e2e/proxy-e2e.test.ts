// The proxy end to end: real server, test PLC, official @atproto/api client, fake AppView/chat/feed/report
// services that verify the service JWT against the account's DID document.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { SimpleDidResolver, didKeyResolver } from '../helpers/did-resolver.ts'
import { startFakeServices } from '../helpers/fake-services.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let plc: TestPlc
let server: TestServer
let fakes: ReturnType<typeof startFakeServices>
let alice: AtpAgent
let did: string

beforeAll(async () => {
  plc = await startPlcDirectory()
  fakes = startFakeServices(didKeyResolver(new SimpleDidResolver({ plcUrl: plc.url, allowHttpWeb: true })))
  server = await startTestServer({ PDS_DID_PLC_URL: plc.url, ...fakes.env })
  alice = new AtpAgent({ service: server.url })
  const res = await alice.createAccount({ email: 'alice@example.com', handle: 'alice.test', password: 'alice-pass' })
  did = res.data.did
})

afterAll(async () => {
  await server.close()
  await plc.close()
  fakes.close()
})

describe('proxy end to end', () => {
  test('read-after-write: a just-written post and profile appear before the AppView has them', async () => {
    const first = await alice.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'indexed', createdAt: new Date().toISOString() } })
    const indexedRev = first.data.commit!.rev
    await alice.com.atproto.repo.putRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'Alice New' } })
    const fresh = await alice.post({ text: 'hot off the press', createdAt: new Date().toISOString() })
    // The AppView has only indexed up to the first post.
    fakes.appView.on('app.bsky.feed.getTimeline', () =>
      Response.json({ feed: [] }, { headers: { 'atproto-repo-rev': indexedRev } }),
    )
    fakes.appView.on('app.bsky.actor.getProfile', () =>
      Response.json({ did, handle: 'alice.test', displayName: 'Alice Old' }, { headers: { 'atproto-repo-rev': indexedRev } }),
    )
    const timeline = await alice.getTimeline({ limit: 10 })
    expect(timeline.data.feed.map((item) => item.post.uri)).toEqual([fresh.uri])
    expect(timeline.data.feed[0]!.post.author).toMatchObject({ did, handle: 'alice.test', displayName: 'Alice New' })
    expect(timeline.headers['atproto-upstream-lag']).toBeDefined()
    const profile = await alice.getProfile({ actor: did })
    expect(profile.data.displayName).toBe('Alice New')
    const got = fakes.appView.calls.at(-1)!
    expect(got.jwt).toMatchObject({ iss: did, aud: fakes.appView.did, lxm: 'app.bsky.actor.getProfile' })
  })

  test('no atproto-repo-rev: the AppView answer passes through untouched', async () => {
    fakes.appView.on('app.bsky.feed.getAuthorFeed', () => Response.json({ feed: [], cursor: 'c1' }))
    const res = await alice.getAuthorFeed({ actor: did })
    expect(res.data).toEqual({ feed: [], cursor: 'c1' })
  })

  test('chat.bsky.convo.listConvos with the chat proxy header', async () => {
    fakes.chat.on('chat.bsky.convo.listConvos', () => Response.json({ convos: [] }))
    const chat = alice.withProxy('bsky_chat', fakes.chat.did)
    const res = await chat.chat.bsky.convo.listConvos()
    expect(res.data.convos).toEqual([])
    expect(fakes.chat.calls.at(-1)!.jwt).toMatchObject({ iss: did, aud: fakes.chat.did, lxm: 'chat.bsky.convo.listConvos' })
  })

  test('methods without a local handler are proxied (app.bsky.graph.getFollows)', async () => {
    fakes.appView.on('app.bsky.graph.getFollows', () => Response.json({ subject: { did, handle: 'alice.test' }, follows: [] }))
    const res = await alice.app.bsky.graph.getFollows({ actor: did })
    expect(res.data.follows).toEqual([])
  })

  test('getFeed: generator DID from the AppView, token addressed to the feed generator', async () => {
    const feedUri = `at://${did}/app.bsky.feed.generator/cats`
    fakes.appView.on('app.bsky.feed.getFeedGenerator', () =>
      Response.json({ view: { uri: feedUri, cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', did: fakes.feedGen.did, creator: { did, handle: 'alice.test' }, displayName: 'Cats', indexedAt: new Date().toISOString() }, isOnline: true, isValid: true }),
    )
    fakes.appView.skipAuth('app.bsky.feed.getFeed')
    // The fake AppView relays the caller's token to the generator, as the real one does.
    fakes.appView.on('app.bsky.feed.getFeed', async (c) => {
      const res = await fetch(`${fakes.feedGen.url}/xrpc/app.bsky.feed.getFeedSkeleton?feed=${encodeURIComponent(feedUri)}`, { headers: { authorization: c.headers.get('authorization')! } })
      if (!res.ok) return new Response(await res.text(), { status: res.status, headers: { 'content-type': 'application/json' } })
      return Response.json({ feed: [] })
    })
    fakes.feedGen.on('app.bsky.feed.getFeedSkeleton', () => Response.json({ feed: [] }))
    const res = await alice.app.bsky.feed.getFeed({ feed: feedUri })
    expect(res.data.feed).toEqual([])
    expect(fakes.feedGen.calls.at(-1)!.jwt).toMatchObject({ iss: did, aud: fakes.feedGen.did, lxm: 'app.bsky.feed.getFeedSkeleton' })
  })

  test('createReport goes to the report service; registerPush to the AppView', async () => {
    fakes.reports.on('com.atproto.moderation.createReport', async (c) => {
      const input = JSON.parse(new TextDecoder().decode(c.body))
      return Response.json({ id: 1, ...input, reportedBy: did, createdAt: new Date().toISOString() })
    })
    const report = await alice.com.atproto.moderation.createReport({ reasonType: 'com.atproto.moderation.defs#reasonSpam', subject: { $type: 'com.atproto.admin.defs#repoRef', did } })
    expect(report.data.id).toBe(1)
    expect(fakes.reports.calls.at(-1)!.jwt).toMatchObject({ iss: did, aud: fakes.reports.did, lxm: 'com.atproto.moderation.createReport' })
    fakes.appView.on('app.bsky.notification.registerPush', () => new Response(null, { status: 200 }))
    await alice.app.bsky.notification.registerPush({ serviceDid: fakes.appView.did, token: 't', platform: 'web', appId: 'xyz.blueskyweb.app' })
    expect(fakes.appView.calls.at(-1)!.jwt).toMatchObject({ aud: fakes.appView.did, lxm: 'app.bsky.notification.registerPush' })
  })

  test('upstream failures map to 502 UpstreamFailure through the client', async () => {
    fakes.appView.on('app.bsky.actor.getSuggestions', () => Response.json({ error: 'InternalServerError', message: 'boom' }, { status: 500 }))
    const err = await alice.app.bsky.actor.getSuggestions().catch((e) => e)
    expect(err.status).toBe(502)
  })
})
