// How long the data disk takes to make a write durable: the last syncs the server made (each group
// commit's fdatasync of an actor store's or the firehose's WAL, src/storage/wal-sync.ts). A durable
// write waits for one, so a disk that takes milliseconds makes every one-at-a-time write that much
// slower. The console shows the figures; the disk-slow alert (./alerts.ts) reads the median.

export type DiskSyncs = { count: number; medianMs: number; slowestMs: number }

/** The last `keep` sync times, in a ring. */
export class RecentDiskSyncs {
  private readonly times: number[] = []
  private next = 0

  constructor(private readonly keep = 64) {}

  record(seconds: number): void {
    this.times[this.next] = seconds * 1000
    this.next = (this.next + 1) % this.keep
  }

  /** Null before the first sync. */
  summary(): DiskSyncs | null {
    if (this.times.length === 0) return null
    const sorted = [...this.times].sort((a, b) => a - b)
    return { count: sorted.length, medianMs: sorted[sorted.length >> 1]!, slowestMs: sorted.at(-1)! }
  }
}

/** "0.4 ms", "12 ms": tenths where they matter. */
export function formatSyncMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
}
