// repo_dirty in sequencer.sqlite: which repos a crash could have left ahead of the firehose.
import type { Database, Statement } from 'bun:sqlite'

export class DirtyRepoMarks {
  private readonly markStmt: Statement<unknown, [string, string]>
  private readonly clearStmt: Statement<unknown, [string]>
  private readonly listStmt: Statement<{ did: string }, []>

  constructor(private readonly db: Database) {
    this.markStmt = db.query('INSERT OR IGNORE INTO repo_dirty (did, markedAt) VALUES (?, ?)')
    this.clearStmt = db.query('DELETE FROM repo_dirty WHERE did = ?')
    this.listStmt = db.query('SELECT did FROM repo_dirty')
  }

  mark(did: string, now = new Date()): void {
    this.markStmt.run(did, now.toISOString())
  }

  clear(dids: Iterable<string>): void {
    this.db.transaction(() => {
      for (const did of dids) this.clearStmt.run(did)
    })()
  }

  list(): string[] {
    return this.listStmt.all().map((r) => r.did)
  }
}
