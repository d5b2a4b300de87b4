// The DID document cache (did_cache.sqlite): the last fetched document of each DID and when it was fetched.
import type { Database } from 'bun:sqlite'
import { openDatabase } from './sqlite.ts'

export class DidCache {
  constructor(private readonly db: Database) {}

  static open(path: string): DidCache {
    return new DidCache(openDatabase(path, 'did_cache', { synchronous: 'NORMAL' }))
  }

  /** The cached document (parsed JSON) and its fetch time in ms, or null. */
  get(did: string): { doc: unknown; updatedAt: number } | null {
    const row = this.db.query<{ doc: string; updatedAt: number }, [string]>('SELECT doc, updatedAt FROM did_doc WHERE did = ?').get(did)
    return row && { doc: JSON.parse(row.doc), updatedAt: row.updatedAt }
  }

  put(did: string, doc: unknown, updatedAt = Date.now()) {
    this.db
      .query('INSERT INTO did_doc (did, doc, updatedAt) VALUES (?, ?, ?) ON CONFLICT (did) DO UPDATE SET doc = excluded.doc, updatedAt = excluded.updatedAt')
      .run(did, JSON.stringify(doc), updatedAt)
  }

  delete(did: string) {
    this.db.query('DELETE FROM did_doc WHERE did = ?').run(did)
  }

  close() {
    this.db.close()
  }
}
