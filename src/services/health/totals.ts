// The totals of the status page and the operator's console, counted once for both: accounts, records
// and blobs are counted in the background and kept for a few minutes, so neither GET / nor /admin opens
// every actor store; the firehose sequence is read live (it is a number in memory).

export type PublicTotals = { accounts: number; records: number; seq: number; countedAt: string }
/** The console's view: the public counts plus blobs (measuredAt: unix ms of the count). */
export type RepoTotals = { records: number; blobs: number; blobBytes: number; measuredAt: number }
export type RepoCounts = { records: number; blobs: number; blobBytes: number }

export type TotalsSources = {
  listAccounts(cursor: string | undefined, limit: number): { accounts: Array<{ did: string }>; cursor?: string }
  /** Records and blobs in one account's repo (null: no repo). */
  countsOf(did: string): RepoCounts | null
  seq(): number
  now?: () => number
}

/** Records and blobs of one repo without summing its blocks (RepoService.stats reads every block's size). */
export function repoCountsFrom(repo: { hasRepo(did: string): boolean; db(did: string): { countRecords(): number; blobTotals(): { count: number; bytes: number } } }) {
  return (did: string): RepoCounts | null => {
    if (!repo.hasRepo(did)) return null
    const db = repo.db(did)
    const blobs = db.blobTotals()
    return { records: db.countRecords(), blobs: blobs.count, blobBytes: blobs.bytes }
  }
}

type Counted = RepoCounts & { at: number; accounts: number }

const TTL_MS = 5 * 60_000
/** Accounts counted between yields to the event loop. */
const BATCH = 50

export class TotalsCache {
  private counted: Counted | null = null
  private counting: Promise<void> | null = null

  constructor(private readonly sources: TotalsSources) {}

  private now(): number {
    return this.sources.now?.() ?? Date.now()
  }

  /** The totals; the first call waits for a count, later ones get the last count and refresh it when stale. */
  async get(): Promise<PublicTotals> {
    const c = await this.current()
    return { accounts: c.accounts, records: c.records, seq: this.sources.seq(), countedAt: new Date(c.at).toISOString() }
  }

  /** Records and blobs over every repo, from the same count as get(). */
  async repoTotals(): Promise<RepoTotals> {
    const c = await this.current()
    return { records: c.records, blobs: c.blobs, blobBytes: c.blobBytes, measuredAt: c.at }
  }

  private async current(): Promise<Counted> {
    if (!this.counted) await this.refresh()
    else if (this.now() - this.counted.at >= TTL_MS) void this.refresh()
    return this.counted!
  }

  private refresh(): Promise<void> {
    return (this.counting ??= this.count().finally(() => (this.counting = null)))
  }

  private async count(): Promise<void> {
    const sum = { accounts: 0, records: 0, blobs: 0, blobBytes: 0 }
    let cursor: string | undefined
    do {
      const page = this.sources.listAccounts(cursor, BATCH)
      for (const account of page.accounts) {
        sum.accounts++
        const counts = this.sources.countsOf(account.did)
        if (!counts) continue
        sum.records += counts.records
        sum.blobs += counts.blobs
        sum.blobBytes += counts.blobBytes
      }
      cursor = page.accounts.length ? page.cursor : undefined
      await Bun.sleep(0)
    } while (cursor)
    this.counted = { at: this.now(), ...sum }
  }
}
