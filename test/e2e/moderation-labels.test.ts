// The labeler: queryLabels (patterns, sources, cursor), subscribeLabels over a real WebSocket (cursor replay
// gives each label once, then live), negation and expiry; labels verify against the key in the PLC directory.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { decode as decodeCbor } from '@ipld/dag-cbor'
import { labelKeyFromPlc, startModHarness, verifiesWith, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
let bob: Awaited<ReturnType<ModHarness['signUp']>>
const posts: Array<{ uri: string; cid: string }> = []

type Frame = { t?: string; op: number; body: any }

function decodeFrame(bytes: Uint8Array): Frame {
  // Header and body are two concatenated DAG-CBOR items: decode the header, then the rest.
  for (let i = 1; i <= bytes.length; i++) {
    try {
      const header = decodeCbor(bytes.subarray(0, i)) as { op: number; t?: string }
      return { ...header, body: decodeCbor(bytes.subarray(i)) }
    } catch {}
  }
  throw new Error('undecodable frame')
}

function subscribeLabels(cursor?: number): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.server.port}/xrpc/com.atproto.label.subscribeLabels${cursor === undefined ? '' : `?cursor=${cursor}`}`)
  ws.binaryType = 'arraybuffer'
  const frames: Frame[] = []
  ws.onmessage = (e) => frames.push(decodeFrame(new Uint8Array(e.data as ArrayBuffer)))
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, frames })
    ws.onerror = reject
  })
}

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(20)
}

const label = (subject: { uri: string; cid: string }, create: string[], negate: string[] = [], durationInHours?: number) =>
  h.team.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: create, negateLabelVals: negate, ...(durationInHours ? { durationInHours } : {}) },
    subject: { $type: 'com.atproto.repo.strongRef', ...subject },
    createdBy: h.teamDid,
  })

beforeAll(async () => {
  h = await startModHarness()
  bob = await h.signUp('bob')
  for (let i = 0; i < 3; i++) posts.push(await bob.agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() }))
})

afterAll(async () => {
  await h.close()
})

test('queryLabels: exact URIs, prefix patterns, sources and a cursor that pages without repeats', async () => {
  await label(posts[0]!, ['spam'])
  await label(posts[1]!, ['nudity', 'sexual'])
  await label(posts[2]!, ['graphic-media'])
  const q = (params: Parameters<ReturnType<ModHarness['agent']>['com']['atproto']['label']['queryLabels']>[0]) => h.agent().com.atproto.label.queryLabels(params).then((r) => r.data)
  expect((await q({ uriPatterns: [posts[1]!.uri] })).labels.map((l) => l.val)).toEqual(['nudity', 'sexual'])
  expect((await q({ uriPatterns: [`at://${bob.did}/*`] })).labels.map((l) => l.val)).toEqual(['spam', 'nudity', 'sexual', 'graphic-media'])
  expect((await q({ uriPatterns: [`at://${bob.did}/*`], sources: ['did:plc:someoneelse0000000000000'] })).labels).toEqual([])
  const seen: string[] = []
  let cursor: string | undefined
  for (;;) {
    const page = await q({ uriPatterns: ['*'], limit: 1, cursor })
    seen.push(...page.labels.map((l) => `${l.uri} ${l.val}`))
    if (!page.cursor) break
    cursor = page.cursor
  }
  expect(seen).toHaveLength(4)
  expect(new Set(seen).size).toBe(4)
  const key = await labelKeyFromPlc(h.plc.url, h.teamDid)
  for (const l of (await q({ uriPatterns: ['*'] })).labels) expect(await verifiesWith(l, key)).toBe(true)
})

test('subscribeLabels: replay from cursor 0 gives every label once, in order, then live labels; frames verify', async () => {
  const { ws, frames } = await subscribeLabels(0)
  await until(() => frames.length >= 4)
  await Bun.sleep(100)
  expect(frames.map((f) => f.t)).toEqual(['#labels', '#labels', '#labels', '#labels'])
  const seqs = frames.map((f) => f.body.seq as number)
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
  expect(new Set(seqs).size).toBe(4)
  await label(posts[0]!, ['!warn'])
  await until(() => frames.length === 5)
  expect(frames[4]!.body.labels[0]).toMatchObject({ val: '!warn', uri: posts[0]!.uri, src: h.teamDid, ver: 1 })
  const key = await labelKeyFromPlc(h.plc.url, h.teamDid)
  for (const f of frames) expect(await verifiesWith(f.body.labels[0], key)).toBe(true)
  ws.close()

  // A cursor in the middle replays only what came after it.
  const resumed = await subscribeLabels(seqs[1])
  await until(() => resumed.frames.length >= 3)
  await Bun.sleep(100)
  expect(resumed.frames.map((f) => f.body.seq)).toEqual([seqs[2], seqs[3], frames[4]!.body.seq])
  resumed.ws.close()
  // No cursor: live only.
  const live = await subscribeLabels()
  await Bun.sleep(150)
  expect(live.frames).toEqual([])
  live.ws.close()
})

test('a future cursor is refused with FutureCursor', async () => {
  const { ws, frames } = await subscribeLabels(999_999)
  await until(() => frames.length > 0)
  expect(frames[0]).toMatchObject({ op: -1, body: { error: 'FutureCursor' } })
  ws.close()
})

test('negation: a negated label is published with neg and no longer counts on the subject', async () => {
  await label(posts[2]!, [], ['graphic-media'])
  const all = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [posts[2]!.uri] })).data.labels
  expect(all.map((l) => [l.val, l.neg ?? false])).toEqual([
    ['graphic-media', false],
    ['graphic-media', true],
  ])
  const key = await labelKeyFromPlc(h.plc.url, h.teamDid)
  expect(await verifiesWith(all[1]!, key)).toBe(true)
  const record = await h.team.tools.ozone.moderation.getRecord({ uri: posts[2]!.uri })
  expect(record.data.labels ?? []).toEqual([])
})

test('expiry: a label with a duration carries exp and is no longer returned once it has passed', async () => {
  await label(posts[1]!, ['!hide'], [], 1)
  const labels = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [posts[1]!.uri] })).data.labels
  const hide = labels.find((l) => l.val === '!hide')!
  expect(Date.parse(hide.exp!) - Date.parse(hide.cts)).toBe(3600_000)
  h.server.services.moderation.clockOffsetMs = 2 * 3600_000
  try {
    const later = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [posts[1]!.uri] })).data.labels
    expect(later.map((l) => l.val)).toEqual(['nudity', 'sexual'])
  } finally {
    h.server.services.moderation.clockOffsetMs = 0
  }
})

test('malformed label queries: clear errors', async () => {
  const get = (query: string) => fetch(`${h.server.url}/xrpc/com.atproto.label.queryLabels${query}`).then(async (r) => ({ status: r.status, body: await r.json() }))
  expect(await get('')).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
  expect(await get('?uriPatterns=*&cursor=abc')).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Malformed cursor' } })
  expect(await get('?uriPatterns=at://*/x')).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
  expect(await get('?uriPatterns=*&limit=1000')).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
  const plain = await fetch(`${h.server.url}/xrpc/com.atproto.label.subscribeLabels`)
  expect(plain.status).toBe(426)
})
