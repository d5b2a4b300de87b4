// A read snapshot of one actor store on its own connection (getRepo's full export): the root and
// every repo_block row as one WAL snapshot, so they match even when a commit lands meanwhile.
import { Database } from 'bun:sqlite'

export type RepoSnapshot = {
  rootCid: string
  /** Every stored block; bun:sqlite copies each BLOB as it is read. */
  blocks(): IterableIterator<{ cid: string; content: Uint8Array }>
  close(): void
}

/** null when the repo has no root. */
export function openRepoSnapshot(dbLocation: string): RepoSnapshot | null {
  const db = new Database(dbLocation, { readwrite: true, create: false })
  const close = () => {
    try {
      db.exec('COMMIT')
    } catch {}
    db.close()
  }
  try {
    db.exec('PRAGMA busy_timeout = 5000')
    db.exec('BEGIN')
    const root = db.query<{ cid: string }, []>('SELECT cid FROM repo_root LIMIT 1').get()
    if (!root) {
      close()
      return null
    }
    return {
      rootCid: root.cid,
      blocks: () => db.query<{ cid: string; content: Uint8Array }, []>('SELECT cid, content FROM repo_block').iterate(),
      close,
    }
  } catch (err) {
    close()
    throw err
  }
}
