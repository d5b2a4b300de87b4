// How long the data disk takes to make a write durable: the last syncs the server made (each group
// commit's fdatasync of an actor store's or the firehose's WAL, src/storage/wal-sync.ts). A durable
// write waits for one, so a disk that takes milliseconds makes every one-at-a-time write that much
// slower. The console shows the figures; the disk-slow alert (./alerts.ts) reads the median;
// `pds doctor` measures the disk the same way before the server runs (measureDiskSyncs).
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

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

/**
 * How long `dir`'s disk takes to make a commit durable: `rounds` times, a commit's worth of WAL frames
 * (25 frames of a 24-byte header and a 4 KB page) rewritten in place in a scratch file there, then fdatasync, timed
 * (the sync alone). The file is removed. What every durable write waits for (src/storage/wal-sync.ts).
 */
export function measureDiskSyncs(dir: string, rounds = 32): DiskSyncs {
  const path = join(dir, `.pds-doctor-sync-${process.pid}`)
  const frame = Buffer.alloc(24 + 4096, 7)
  const framesPerCommit = 25
  const syncs = new RecentDiskSyncs(rounds)
  const fd = openSync(path, 'w+', 0o600)
  try {
    for (let i = 0; i < framesPerCommit; i++) writeSync(fd, frame)
    fdatasyncSync(fd) // allocated once: the rounds rewrite in place, as a WAL after its first checkpoint
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < framesPerCommit; i++) writeSync(fd, frame, 0, frame.length, i * frame.length)
      const started = performance.now()
      fdatasyncSync(fd)
      syncs.record((performance.now() - started) / 1000)
    }
  } finally {
    closeSync(fd)
    rmSync(path, { force: true })
  }
  return syncs.summary()!
}
