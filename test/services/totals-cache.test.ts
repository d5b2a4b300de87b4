// The one totals cache: the status page's totals and the console's record/blob totals come from a single
// count over the accounts, refreshed in the background when stale.
import { expect, test } from 'bun:test'
import { TotalsCache, type RepoCounts } from '../../src/services/health/totals.ts'

function fixture(repos: Record<string, RepoCounts | null>) {
  let now = 1_000_000
  const counted: string[] = []
  const dids = Object.keys(repos)
  const cache = new TotalsCache({
    listAccounts: (cursor, limit) => {
      const start = cursor ? dids.indexOf(cursor) + 1 : 0
      const page = dids.slice(start, start + limit)
      return { accounts: page.map((did) => ({ did })), cursor: page.at(-1) }
    },
    countsOf: (did) => (counted.push(did), repos[did] ?? null),
    seq: () => 42,
    now: () => now,
  })
  return { cache, counted, repos, advance: (ms: number) => (now += ms) }
}

test('the status page and the console share one count, blobs included', async () => {
  const repos: Record<string, RepoCounts | null> = {}
  for (let i = 0; i < 120; i++) repos[`did:plc:a${String(i).padStart(3, '0')}`] = { records: 2, blobs: 1, blobBytes: 100 }
  repos['did:plc:norepo'] = null
  const f = fixture(repos)
  expect(await f.cache.get()).toMatchObject({ accounts: 121, records: 240, seq: 42 })
  expect(await f.cache.repoTotals()).toEqual({ records: 240, blobs: 120, blobBytes: 12_000, measuredAt: 1_000_000 })
  // Every repo was opened once for both readers.
  expect(f.counted).toHaveLength(121)
  expect(new Set(f.counted).size).toBe(121)
})

test('a stale count is served while a fresh one is made in the background', async () => {
  const f = fixture({ 'did:plc:one': { records: 1, blobs: 0, blobBytes: 0 } })
  await f.cache.repoTotals()
  f.repos['did:plc:one'] = { records: 5, blobs: 2, blobBytes: 10 }
  f.advance(60_000)
  expect((await f.cache.repoTotals()).records).toBe(1)
  expect(f.counted).toHaveLength(1)
  f.advance(5 * 60_000)
  expect((await f.cache.repoTotals()).records).toBe(1)
  await Bun.sleep(5)
  expect(await f.cache.repoTotals()).toMatchObject({ records: 5, blobs: 2, blobBytes: 10 })
  expect((await f.cache.get()).records).toBe(5)
})
