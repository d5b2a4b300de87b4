// One account's SQLite database: repo blocks, root, record index, blobs, backlinks, preferences.
// Every method is synchronous (bun:sqlite), so a whole commit fits in one transaction with no await.
import type { Database, Statement } from 'bun:sqlite'
import { CID, parseCid } from '../../core/cbor.ts'
import type { BlockReader } from '../../core/repo/index.ts'
import { deferSync, flushCommits } from '../wal-sync.ts'

export type RepoRootRow = { cid: string; rev: string }
export type RecordRow = { uri: string; cid: string; collection: string; rkey: string; repoRev: string; indexedAt: string; takedownRef: string | null }
export type BlobRow = {
  cid: string
  mimeType: string
  size: number
  tempKey: string | null
  width: number | null
  height: number | null
  createdAt: string
  takedownRef: string | null
}
export type Backlink = { path: string; linkTo: string }
type RecordPageOptions = { limit: number; cursor?: string; reverse?: boolean }

// The reference's listRecordsForCollection: an inner join on the block, taken-down records left out
// before the limit, ordered by rkey (newest first unless reverse; the cursor is an exclusive bound).
// `+?`, not `?`: SQLite (3.47+) reads the bound value of `LIMIT +?`, and of `collection = ?` under an
// ORDER BY, while planning, and then re-prepares the statement each time it is bound again (Bun binds
// on every call): ~14 us per page. Unary plus is a no-op on the value that the planner does not look into.
const RECORDS = 'FROM record JOIN repo_block ON repo_block.cid = record.cid WHERE record.collection = +? AND record.takedownRef IS NULL'
const AFTER = 'AND record.rkey > +? ORDER BY record.rkey ASC LIMIT +?'
const BEFORE = 'AND record.rkey < +? ORDER BY record.rkey DESC LIMIT +?'
const NEWEST = 'ORDER BY record.rkey DESC LIMIT +?'
const RECORD_WITH_BLOCK = 'SELECT record.uri, record.cid, record.takedownRef, repo_block.content FROM record LEFT JOIN repo_block ON repo_block.cid = record.cid WHERE record.collection = +? AND record.rkey = +?'
const RECORD_COLUMNS = 'SELECT record.uri, record.cid, record.rkey, repo_block.content'
// listRecords' page without the URI (at://did/collection/rkey, rebuilt while writing the JSON).
const RECORD_VALUES = 'SELECT record.cid, record.rkey, repo_block.content'

export class ActorDb {
  private readonly stmts = new Map<string, Statement>()
  private readonly lastCommitBlocks = new Map<string, Uint8Array>()
  /** The last written commit's CID and data root (a CID names immutable content, so never stale). */
  private lastDataRoot?: { commit: string; data: CID }

  constructor(
    readonly did: string,
    readonly db: Database,
  ) {}

  private q(sql: string): Statement<any, any[]> {
    let stmt = this.stmts.get(sql)
    if (!stmt) this.stmts.set(sql, (stmt = this.db.prepare(sql)))
    return stmt
  }

  /** Runs fn in one IMMEDIATE transaction; fn must not await. */
  transact<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /**
   * The same without waiting for the disk inside COMMIT (the write path's group commit, see
   * storage/wal-sync.ts): not durable until `flushCommits()` resolves.
   */
  transactDeferred<T>(fn: () => T): T {
    return deferSync(this.db, () => this.transact(fn))
  }

  /** Resolves when every earlier commit is on stable storage. */
  flushCommits(): Promise<void> {
    return flushCommits(this.db) ?? Promise.resolve()
  }

  close(): void {
    for (const stmt of this.stmts.values()) stmt.finalize()
    this.stmts.clear()
    this.db.close()
  }

  // ---- repo root and blocks ------------------------------------------------------------------

  getRoot(): RepoRootRow | null {
    return this.q('SELECT cid, rev FROM repo_root WHERE did = ?').get(this.did) ?? null
  }

  setRoot(cid: CID, rev: string, now: string): void {
    this.q(
      'INSERT INTO repo_root (did, cid, rev, indexedAt) VALUES (?, ?, ?, ?) ON CONFLICT (did) DO UPDATE SET cid = excluded.cid, rev = excluded.rev, indexedAt = excluded.indexedAt',
    ).run(this.did, cid.toString(), rev, now)
  }

  getBlock(cid: CID | string): Uint8Array | undefined {
    const row = this.q('SELECT content FROM repo_block WHERE cid = ?').get(cid.toString()) as { content: Uint8Array } | null
    return row?.content ?? undefined
  }

  /**
   * A synchronous block reader for the MST and the commit builder over the current tree. It serves
   * the last commit's blocks from memory first: the next commit reads mostly those (its MST path,
   * its commit block), and a block's bytes never change under its CID.
   */
  blockReader(): BlockReader {
    return { get: (cid) => this.lastCommitBlocks.get(cid.toString()) ?? this.getBlock(cid) }
  }

  /** The blocks a commit has just written (after its transaction), for the next commit's reads. */
  rememberCommitBlocks(blocks: Iterable<{ cid: CID; bytes: Uint8Array }>): void {
    this.lastCommitBlocks.clear()
    for (const block of blocks) this.lastCommitBlocks.set(block.cid.toString(), block.bytes)
  }

  rememberDataRoot(commit: CID, data: CID): void {
    this.lastDataRoot = { commit: commit.toString(), data }
  }

  /** The data root of `commit` if it is the last commit written through this handle. */
  knownDataRoot(commit: CID): CID | undefined {
    return this.lastDataRoot?.commit === commit.toString() ? this.lastDataRoot.data : undefined
  }

  putBlock(cid: CID, bytes: Uint8Array, rev: string): void {
    this.q('INSERT INTO repo_block (cid, repoRev, size, content) VALUES (?, ?, ?, ?) ON CONFLICT (cid) DO NOTHING').run(
      cid.toString(),
      rev,
      bytes.length,
      bytes,
    )
  }

  deleteBlock(cid: CID): void {
    this.lastCommitBlocks.delete(cid.toString())
    this.q('DELETE FROM repo_block WHERE cid = ?').run(cid.toString())
  }

  /** Bytes of repo blocks stored (the repo's size as a CAR, give or take framing). */
  sumBlockBytes(): number {
    return (this.q('SELECT coalesce(sum(size), 0) AS n FROM repo_block').get() as { n: number }).n
  }

  countBlocks(): number {
    return (this.q('SELECT count(*) AS n FROM repo_block').get() as { n: number }).n
  }

  /** Blocks written after `since` (exclusive), for getRepo?since=. */
  *blocksSince(since: string): Generator<{ cid: CID; bytes: Uint8Array }> {
    for (const row of this.q('SELECT cid, content FROM repo_block WHERE repoRev > ? ORDER BY repoRev, cid').iterate(since) as Iterable<{
      cid: string
      content: Uint8Array
    }>) {
      yield { cid: parseCid(row.cid), bytes: row.content }
    }
  }

  deleteAllRepoData(): void {
    this.lastCommitBlocks.clear()
    this.db.exec('DELETE FROM repo_block; DELETE FROM record; DELETE FROM backlink; DELETE FROM record_blob; DELETE FROM repo_root')
  }

  // ---- record index --------------------------------------------------------------------------

  getRecordRow(collection: string, rkey: string): RecordRow | null {
    return this.q('SELECT * FROM record WHERE collection = ? AND rkey = ?').get(collection, rkey) ?? null
  }

  /** A record's index row and its block (null when the block is missing), in one statement, as an array. */
  getRecordWithBlock(collection: string, rkey: string): [uri: string, cid: string, takedownRef: string | null, content: Uint8Array | null] | null {
    return this.q(RECORD_WITH_BLOCK).values(collection, rkey)[0] as never ?? null
  }

  recordPathsWithCid(cid: string): string[] {
    return (this.q('SELECT collection, rkey FROM record WHERE cid = ?').all(cid) as Array<{ collection: string; rkey: string }>).map(
      (r) => `${r.collection}/${r.rkey}`,
    )
  }

  upsertRecord(uri: string, cid: string, collection: string, rkey: string, rev: string, now: string): void {
    this.q(
      `INSERT INTO record (uri, cid, collection, rkey, repoRev, indexedAt) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (uri) DO UPDATE SET cid = excluded.cid, repoRev = excluded.repoRev, indexedAt = excluded.indexedAt`,
    ).run(uri, cid, collection, rkey, rev, now)
  }

  deleteRecord(uri: string): void {
    this.q('DELETE FROM record WHERE uri = ?').run(uri)
    this.q('DELETE FROM backlink WHERE uri = ?').run(uri)
  }

  /** Records of a collection ordered by rkey (`cursor`: exclusive rkey bound), each with its block. */
  listRecords(collection: string, opts: RecordPageOptions): Array<Pick<RecordRow, 'uri' | 'cid' | 'rkey'> & { content: Uint8Array }> {
    const [statement, params] = this.recordPage(RECORD_COLUMNS, collection, opts)
    return statement.all(...params) as never
  }

  /** listRecords as arrays (a page is 100 rows; arrays are cheaper to build than objects). */
  listRecordValues(collection: string, opts: RecordPageOptions): Array<[cid: string, rkey: string, content: Uint8Array]> {
    const [statement, params] = this.recordPage(RECORD_VALUES, collection, opts)
    return statement.values(...params) as never
  }

  /** The statement selecting `columns` for a page of a collection, and its parameters. */
  private recordPage(columns: string, collection: string, opts: RecordPageOptions): [Statement, Array<string | number>] {
    if (opts.reverse) return [this.q(`${columns} ${RECORDS} ${AFTER}`), [collection, opts.cursor ?? '', opts.limit]]
    if (opts.cursor !== undefined) return [this.q(`${columns} ${RECORDS} ${BEFORE}`), [collection, opts.cursor, opts.limit]]
    return [this.q(`${columns} ${RECORDS} ${NEWEST}`), [collection, opts.limit]]
  }

  listCollections(): string[] {
    return (this.q('SELECT DISTINCT collection FROM record ORDER BY collection').all() as Array<{ collection: string }>).map(
      (r) => r.collection,
    )
  }

  countRecords(): number {
    return (this.q('SELECT count(*) AS n FROM record').get() as { n: number }).n
  }

  /** Up to `limit` records written after `rev` and not taken down, oldest first, with their block. */
  recordsAfterRev(rev: string, limit: number): Array<{ uri: string; cid: string; indexedAt: string; content: Uint8Array }> {
    return this.q(
      `SELECT record.uri, record.cid, record.indexedAt, repo_block.content FROM record
       JOIN repo_block ON repo_block.cid = record.cid
       WHERE record.repoRev > ? AND record.takedownRef IS NULL ORDER BY record.repoRev ASC LIMIT +?`,
    ).all(rev, limit) as Array<{ uri: string; cid: string; indexedAt: string; content: Uint8Array }>
  }

  hasRecordAtOrBefore(rev: string): boolean {
    return !!this.q('SELECT 1 FROM record WHERE repoRev <= ? LIMIT 1').get(rev)
  }

  // ---- backlinks -----------------------------------------------------------------------------

  setBacklinks(uri: string, links: Backlink[]): void {
    this.q('DELETE FROM backlink WHERE uri = ?').run(uri)
    for (const link of links) {
      this.q('INSERT INTO backlink (uri, path, linkTo) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(uri, link.path, link.linkTo)
    }
  }

  /** rkeys of records in `collection` linking to `linkTo` at `path`. */
  backlinkRkeys(collection: string, link: Backlink): string[] {
    return (
      this.q(
        `SELECT record.rkey AS rkey FROM record JOIN backlink ON backlink.uri = record.uri
         WHERE backlink.path = ? AND backlink.linkTo = ? AND record.collection = ?`,
      ).all(link.path, link.linkTo, collection) as Array<{ rkey: string }>
    ).map((r) => r.rkey)
  }

  // ---- blobs ---------------------------------------------------------------------------------

  getBlob(cid: string): BlobRow | null {
    return this.q('SELECT * FROM blob WHERE cid = ?').get(cid) ?? null
  }

  /** Track an upload; an already permanent blob keeps its row (re-uploading is a no-op). */
  trackTempBlob(row: { cid: string; mimeType: string; size: number; tempKey: string; width: number | null; height: number | null }, now: string): void {
    this.q(
      `INSERT INTO blob (cid, mimeType, size, tempKey, width, height, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (cid) DO UPDATE SET tempKey = excluded.tempKey WHERE blob.tempKey IS NOT NULL`,
    ).run(row.cid, row.mimeType, row.size, row.tempKey, row.width, row.height, now)
  }

  /** Record a blob that exists permanently (imports, tests). */
  insertPermanentBlob(row: { cid: string; mimeType: string; size: number }, now: string): void {
    this.q(
      `INSERT INTO blob (cid, mimeType, size, tempKey, createdAt) VALUES (?, ?, ?, NULL, ?)
       ON CONFLICT (cid) DO UPDATE SET tempKey = NULL`,
    ).run(row.cid, row.mimeType, row.size, now)
  }

  markBlobPermanent(cid: string): void {
    this.q('UPDATE blob SET tempKey = NULL WHERE cid = ?').run(cid)
  }

  deleteBlobRow(cid: string): void {
    this.q('DELETE FROM blob WHERE cid = ?').run(cid)
  }

  // ---- moderation ----------------------------------------------------------------------------

  getRecordByUri(uri: string): RecordRow | null {
    return this.q('SELECT * FROM record WHERE uri = ?').get(uri) ?? null
  }

  setRecordTakedown(uri: string, ref: string | null): void {
    this.q('UPDATE record SET takedownRef = ? WHERE uri = ?').run(ref, uri)
  }

  setBlobTakedown(cid: string, ref: string | null): void {
    this.q('UPDATE blob SET takedownRef = ? WHERE cid = ?').run(ref, cid)
  }

  /** Removes a record's blob links and returns the blob CIDs it linked. */
  unlinkRecordBlobs(uri: string): string[] {
    return (this.q('DELETE FROM record_blob WHERE recordUri = ? RETURNING blobCid').all(uri) as Array<{ blobCid: string }>).map(
      (r) => r.blobCid,
    )
  }

  linkRecordBlob(blobCid: string, uri: string): void {
    this.q('INSERT INTO record_blob (blobCid, recordUri) VALUES (?, ?) ON CONFLICT DO NOTHING').run(blobCid, uri)
  }

  isBlobReferenced(cid: string): boolean {
    return !!this.q('SELECT 1 FROM record_blob WHERE blobCid = ? LIMIT 1').get(cid)
  }

  /** Temp uploads older than `before` that no record references. */
  staleTempBlobs(before: string): BlobRow[] {
    return this.q(
      `SELECT * FROM blob WHERE tempKey IS NOT NULL AND createdAt < ?
       AND NOT EXISTS (SELECT 1 FROM record_blob WHERE record_blob.blobCid = blob.cid)`,
    ).all(before) as BlobRow[]
  }

  /** Permanent blob CIDs, optionally only those attached to records written after `since`. */
  listBlobCids(opts: { since?: string; cursor?: string; limit: number }): string[] {
    if (opts.since) {
      return (
        this.q(
          `SELECT DISTINCT record_blob.blobCid AS cid FROM record_blob JOIN record ON record.uri = record_blob.recordUri
           WHERE record.repoRev > ? AND record_blob.blobCid > ? ORDER BY record_blob.blobCid LIMIT +?`,
        ).all(opts.since, opts.cursor ?? '', opts.limit) as Array<{ cid: string }>
      ).map((r) => r.cid)
    }
    return (
      this.q('SELECT DISTINCT blobCid AS cid FROM record_blob WHERE blobCid > ? ORDER BY blobCid LIMIT +?').all(
        opts.cursor ?? '',
        opts.limit,
      ) as Array<{ cid: string }>
    ).map((r) => r.cid)
  }

  /** Blobs referenced by records but never uploaded (after an import). */
  listMissingBlobs(opts: { cursor?: string; limit: number }): Array<{ cid: string; recordUri: string }> {
    return this.q(
      `SELECT blobCid AS cid, min(recordUri) AS recordUri FROM record_blob
       WHERE blobCid > ? AND NOT EXISTS (SELECT 1 FROM blob WHERE blob.cid = record_blob.blobCid)
       GROUP BY blobCid ORDER BY blobCid LIMIT +?`,
    ).all(opts.cursor ?? '', opts.limit) as Array<{ cid: string; recordUri: string }>
  }

  /** Stored blobs (uploads not yet referenced excluded) and their bytes. */
  blobTotals(): { count: number; bytes: number } {
    return this.q('SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM blob WHERE tempKey IS NULL').get() as { count: number; bytes: number }
  }

  blobCounts(): { expected: number; imported: number } {
    const expected = (this.q('SELECT count(DISTINCT blobCid) AS n FROM record_blob').get() as { n: number }).n
    const imported = (this.q('SELECT count(*) AS n FROM blob WHERE tempKey IS NULL').get() as { n: number }).n
    return { expected, imported }
  }

  // ---- preferences ---------------------------------------------------------------------------

  getPreferences(): Array<{ name: string; valueJson: string }> {
    return this.q('SELECT name, valueJson FROM account_pref ORDER BY id').all() as Array<{ name: string; valueJson: string }>
  }

  /** Replaces the preferences whose name passes `inScope`. */
  replacePreferences(values: Array<{ name: string; valueJson: string }>, inScope: (name: string) => boolean): void {
    this.transact(() => {
      for (const row of this.q('SELECT id, name FROM account_pref').all() as Array<{ id: number; name: string }>) {
        if (inScope(row.name)) this.q('DELETE FROM account_pref WHERE id = ?').run(row.id)
      }
      for (const v of values) this.q('INSERT INTO account_pref (name, valueJson) VALUES (?, ?)').run(v.name, v.valueJson)
    })
  }
}
