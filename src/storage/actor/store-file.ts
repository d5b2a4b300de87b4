// Read-only access to an actor store file that no server has open (a backup's copy): its repo
// root, its blocks, and the blobs it references.
import { Database, type Statement } from 'bun:sqlite'

export type StoreFileRoot = { did: string; cid: string; rev: string }

export class ActorStoreFile {
  private readonly db: Database
  private blockStmt?: Statement<{ content: Uint8Array }, [string]>

  constructor(path: string) {
    this.db = new Database(path, { readonly: true })
  }

  root(): StoreFileRoot | null {
    return this.db.query<StoreFileRoot, []>('SELECT did, cid, rev FROM repo_root LIMIT 1').get()
  }

  getBlock(cid: string): Uint8Array | undefined {
    this.blockStmt ??= this.db.query('SELECT content FROM repo_block WHERE cid = ?')
    return this.blockStmt.get(cid)?.content ?? undefined
  }

  /** Blobs referenced by a record, or uploaded and already moved out of tmp (tempKey cleared). */
  referencedBlobCids(): string[] {
    return this.db
      .query<{ cid: string }, []>(
        'SELECT blobCid AS cid FROM record_blob UNION SELECT cid FROM blob WHERE tempKey IS NULL AND takedownRef IS NULL',
      )
      .all()
      .map((r) => r.cid)
  }

  close(): void {
    this.db.close()
  }
}

/** The repo root of a store file; nulls when it has none or does not open. */
export function readStoreFileRoot(path: string): { rev: string | null; cid: string | null } {
  let file: ActorStoreFile | undefined
  try {
    file = new ActorStoreFile(path)
    const row = file.root()
    return { rev: row?.rev ?? null, cid: row?.cid ?? null }
  } catch {
    return { rev: null, cid: null }
  } finally {
    file?.close()
  }
}
