// File descriptors: the process's limit, and how many the actor-store cache may hold under it.
import { readdirSync, readFileSync } from 'node:fs'

/**
 * Descriptors one open durable SQLite database in WAL mode holds: the database, its -wal and its -shm
 * (SQLite's), and the -wal again (the group commit's, storage/wal-sync.ts). Checked by
 * test/storage/open-files.test.ts.
 */
export const FDS_PER_DATABASE = 4

/** Default descriptor budget of the actor-store cache (64 databases): enough for the active accounts of a busy small server. */
const DEFAULT_ACTOR_STORE_FILES = 256

/**
 * The actor-store cache's default budget: at most a quarter of the soft `ulimit -n`, so that sockets
 * (clients, firehose subscribers, outgoing fetches), blob streams and repo exports keep the rest.
 */
export function defaultActorStoreFiles(softLimit = openFileLimit()): number {
  if (!softLimit) return DEFAULT_ACTOR_STORE_FILES
  return Math.max(FDS_PER_DATABASE, Math.min(DEFAULT_ACTOR_STORE_FILES, Math.floor(softLimit / 4)))
}

/** The soft RLIMIT_NOFILE of this process (Linux /proc), or null when unknown. */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    const value = soft === undefined || soft === 'unlimited' ? NaN : Number(soft)
    return Number.isFinite(value) && value > 0 ? value : null
  } catch {
    return null
  }
}

/** Descriptors this process holds now (Linux /proc), or null when unknown. */
export function openFileCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return null
  }
}
