// The public totals of the status page (and the console): accounts and records are counted in the
// background and kept for a few minutes, so GET / never opens every actor store; the firehose
// sequence is read live (it is a number in memory).

export type PublicTotals = { accounts: number; records: number; seq: number; countedAt: string }

export type TotalsSources = {
  listAccounts(cursor: string | undefined, limit: number): { accounts: Array<{ did: string }>; cursor?: string }
  /** Records in one account's repo (null: no repo). */
  recordsOf(did: string): number | null
  seq(): number
  now?: () => number
}

const TTL_MS = 5 * 60_000
/** Accounts counted between yields to the event loop. */
const BATCH = 50

export class TotalsCache {
  private counted: { at: number; accounts: number; records: number } | null = null
  private counting: Promise<void> | null = null

  constructor(private readonly sources: TotalsSources) {}

  private now(): number {
    return this.sources.now?.() ?? Date.now()
  }

  /** The totals; the first call waits for a count, later ones get the last count and refresh it when stale. */
  async get(): Promise<PublicTotals> {
    if (!this.counted) await this.refresh()
    else if (this.now() - this.counted.at >= TTL_MS) void this.refresh()
    const c = this.counted!
    return { accounts: c.accounts, records: c.records, seq: this.sources.seq(), countedAt: new Date(c.at).toISOString() }
  }

  private refresh(): Promise<void> {
    return (this.counting ??= this.count().finally(() => (this.counting = null)))
  }

  private async count(): Promise<void> {
    let accounts = 0
    let records = 0
    let cursor: string | undefined
    do {
      const page = this.sources.listAccounts(cursor, BATCH)
      for (const account of page.accounts) {
        accounts++
        records += this.sources.recordsOf(account.did) ?? 0
      }
      cursor = page.accounts.length ? page.cursor : undefined
      await Bun.sleep(0)
    } while (cursor)
    this.counted = { at: this.now(), accounts, records }
  }
}
