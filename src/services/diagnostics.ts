// What `pds doctor` checks on this machine, through the services layer (the CLI never opens storage).
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { probeSqlite } from '../storage/sqlite.ts'
import { RecentDiskSyncs, type DiskSyncs } from './health/disk-syncs.ts'

/** Creates, writes and reads back a STRICT WAL table at `path`; returns the SQLite version. */
export function sqliteSelfTest(path: string): string {
  return probeSqlite(path)
}

/**
 * How long `dir`'s disk takes to make a commit durable: `rounds` times, a commit's worth of WAL frames
 * (25 x 4 KB, as SQLite writes them) rewritten in place in a scratch file there, then fdatasync, timed
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
