// WAL checkpoints on a worker thread. With synchronous=NORMAL a checkpoint fsyncs the WAL and the
// database file; run by SQLite's autocheckpoint it lands inside whichever commit crosses the
// threshold, on the event loop (measured: ~25% of an in-process createRecord). Here a timer notices
// which watched databases changed and a worker runs PASSIVE checkpoints on its own connections,
// which never block the writer. Durability is unchanged: a commit is durable once in the WAL, and a
// checkpoint only copies committed pages into the database file.
import type { Database } from 'bun:sqlite'

/** Pages; SQLite's own checkpoint still runs past this if the worker ever falls behind. */
export const SAFETY_NET_AUTOCHECKPOINT = 10_000
/**
 * After each checkpoint the next commit restarts the WAL and must fsync its new header on the event
 * loop; checkpointing each busy database once a second rather than five times cuts that five-fold
 * (bench, 20 accounts writing, paired: 229/412/327 -> 465/525/565 writes/s; WAL ~ a second of writes).
 */
const INTERVAL_MS = 1000

// Inline (a blob URL), so the compiled single binary needs no extra entry point.
const WORKER_SOURCE = `
import { Database } from 'bun:sqlite'
self.onmessage = (event) => {
  for (const path of event.data) {
    let db
    try {
      db = new Database(path, { readwrite: true, create: false })
      db.query('PRAGMA wal_checkpoint(PASSIVE)').get()
    } catch {
      // Deleted or busy: the next change schedules it again, and autocheckpoint is the safety net.
    } finally {
      db?.close()
    }
  }
}
`

type Watched = { path: string; db: Database; changes: number }

class WalCheckpointer {
  private readonly watched = new Set<Watched>()
  private worker?: Worker
  private timer?: ReturnType<typeof setInterval>

  watch(path: string, db: Database): void {
    if (isExternallyCheckpointed(path)) {
      // Litestream copies the WAL before it checkpoints; a checkpoint of ours could run past its position.
      db.exec('PRAGMA wal_autocheckpoint = 0')
      return
    }
    db.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_AUTOCHECKPOINT}`)
    this.watched.add({ path, db, changes: totalChanges(db) ?? 0 })
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), INTERVAL_MS)
      this.timer.unref?.()
    }
  }

  private tick(): void {
    const changed: string[] = []
    for (const entry of this.watched) {
      const changes = totalChanges(entry.db)
      if (changes === undefined) {
        this.watched.delete(entry) // closed
        continue
      }
      if (changes === entry.changes) continue
      entry.changes = changes
      changed.push(entry.path)
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
    if (changed.length > 0) this.post(changed)
  }

  private post(paths: string[]): void {
    if (!this.worker) {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'application/javascript' }))
      this.worker = new Worker(url)
      this.worker.unref?.()
    }
    this.worker.postMessage(paths)
  }
}

function totalChanges(db: Database): number | undefined {
  try {
    return (db.query('SELECT total_changes() AS n').get() as { n: number }).n
  } catch {
    return undefined
  }
}

const checkpointer = new WalCheckpointer()

/** Checkpoint this database's WAL off the event loop from now on (until it is closed). */
export function checkpointInBackground(path: string, db: Database): void {
  checkpointer.watch(path, db)
}

/** Files and folders whose databases Litestream checkpoints (PDS_LITESTREAM=true), by path. */
const external = new Set<string>()

function isExternallyCheckpointed(path: string): boolean {
  for (const root of external) if (path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`)) return true
  return false
}

/**
 * From now on, databases opened at these paths (files, or folders holding them) are checkpointed by
 * Litestream, not here: no background checkpoint and no SQLite autocheckpoint. Keyed by path, so other
 * servers in the same process (tests) keep theirs. Returns the undo.
 */
export function leaveCheckpointsToLitestream(paths: string[]): () => void {
  for (const path of paths) external.add(path)
  return () => {
    for (const path of paths) external.delete(path)
  }
}
