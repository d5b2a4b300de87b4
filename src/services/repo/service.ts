// RepoService: repo lifecycle (create/delete), the write path's entry points, and the block access
// the sync helper needs. Reads live in ./reads.ts, blobs in ../blobs/, preferences in ./preferences.ts.
import type { Metrics } from '../metrics.ts'
import { CID, parseCid } from '../../core/cbor.ts'
import { Secp256k1Keypair, type Keypair } from '../../core/crypto/index.ts'
import { createEmptyRepo, walkRepoBlocks, type Block, type BlockReader } from '../../core/repo/index.ts'
import { Mst, coveringProof } from '../../core/mst/index.ts'
import { writeCar } from '../../core/car.ts'
import { nextTid } from '../../core/syntax/index.ts'
import type { Lexicons } from '../../core/lexicon/index.ts'
import type { Logger } from '../../logger.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import { ActorNotFoundError, type ActorStore } from '../../storage/actor/actor-store.ts'
import { fullRepoCar } from '../../storage/actor/repo-car.ts'
import { genesisOf, type GenesisCommit, type RepoEventSink, type SyncEventData } from '../events.ts'
import type { BlobStore } from '../blobs/store.ts'
import { KeyedMutex } from './lock.ts'
import type { NoncePool } from './nonce-pool.ts'
import { WritePreparer, type PreparedCreateOrUpdate, type PreparedWrite, type ValidationStatus } from './prepare.ts'
import { buildCommit, checkBlobs, checkSwaps, dataRootOf, persistCommit } from './writer.ts'
import { invalidInput } from '../errors.ts'
import { uploadBlob, sweepTempDirectory, TEMP_BLOB_GRACE_MS, type BlobRefJson, type ByteUpload } from '../blobs/upload.ts'
import { readRecord, readRecordPage, readRecordPageJson, type RecordView } from './reads.ts'
import { readPreferences, writePreferences } from './preferences.ts'
import { importCar, readLimited } from './import.ts'
import { getRecordsSinceRev, type LocalRecords } from '../read-after-write/local-records.ts'
import { ReservedKeys } from '../../storage/actor/reserved-keys.ts'

export type AccountHooks = { updateRepoRoot?(did: string, cid: CID, rev: string): unknown }
/** Told before each commit is written, so crash recovery knows which repos to check. */
export type CommitJournal = { willCommit(did: string, rev: string): void; forget(did: string): void }

export type RepoServiceDeps = {
  actors: ActorStore
  blobs: BlobStore
  lexicons: Lexicons
  log: Logger
  /** Read on every commit: the sequencer may be wired after this service is built. */
  events: () => RepoEventSink
  accounts?: () => AccountHooks | undefined
  /** config.service.blobUploadLimit */
  uploadLimit?: number
  journal?: CommitJournal
  /** Counts commits and blob uploads (src/services/metrics.ts). */
  metrics?: Pick<Metrics, 'commit' | 'blobUpload'>
  /** secp256k1 nonces made while commits wait for their sync: a commit's signature then costs ~1 µs. */
  noncePool?: NoncePool
}

export type WriteInput =
  | { action: 'create'; collection: string; rkey?: string; value: unknown }
  | { action: 'update'; collection: string; rkey: string; value: unknown }
  | { action: 'delete'; collection: string; rkey: string }

export type WriteResult = { action: 'create' | 'update' | 'delete'; uri?: string; cid?: string; validationStatus?: ValidationStatus }
export type CommitRef = { cid: string; rev: string }

export class RepoService {
  readonly lock = new KeyedMutex()
  readonly preparer: WritePreparer
  private readonly keys = new Map<string, Keypair>()
  /** Keys handed out by com.atproto.server.reserveSigningKey, for accounts about to be created. */
  readonly reservedKeys: ReservedKeys

  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(readonly deps: RepoServiceDeps) {
    this.preparer = new WritePreparer(deps.lexicons)
    this.reservedKeys = new ReservedKeys(deps.actors.directory, deps.actors.keys)
    this.sweeper = setInterval(() => {
      this.safely('temp blob sweep', () => void sweepTempDirectory(deps.blobs, Date.now() - TEMP_BLOB_GRACE_MS))
    }, 60 * 60 * 1000)
    this.sweeper.unref?.()
  }

  close(): void {
    clearInterval(this.sweeper)
    this.deps.noncePool?.close()
    this.deps.actors.close()
  }

  get blobs(): BlobStore {
    return this.deps.blobs
  }

  // ---- reads, blobs, preferences -------------------------------------------------------------

  getRecord(did: string, collection: string, rkey: string, cid?: string, opts: { includeTakenDown?: boolean } = {}): RecordView | null {
    if (!this.hasRepo(did)) return null
    return readRecord(this.db(did), collection, rkey, cid, opts.includeTakenDown)
  }

  listRecords(did: string, collection: string, opts: { limit: number; cursor?: string; reverse?: boolean }) {
    return readRecordPage(this.db(did), collection, opts)
  }

  /** listRecords' page as UTF-8 JSON, ready to send. */
  listRecordsJson(did: string, collection: string, opts: { limit: number; cursor?: string; reverse?: boolean }): Uint8Array {
    return readRecordPageJson(this.db(did), collection, opts)
  }

  listCollections(did: string): string[] {
    return this.db(did).listCollections()
  }

  uploadBlob(did: string, input: ByteUpload): Promise<BlobRefJson> {
    if (!this.hasRepo(did)) throw new ActorNotFoundError(did)
    const stored = uploadBlob(this.deps.blobs, () => this.db(did), input.body, input.encoding, this.deps.uploadLimit ?? Infinity, input.length)
    const metrics = this.deps.metrics
    return metrics ? stored.then((ref) => (metrics.blobUpload(ref.size), ref)) : stored
  }

  /** Blob bytes for com.atproto.sync.getBlob: only blobs that belong to this repo. */
  getBlobStream(did: string, cid: string, range?: { start: number; end?: number }) {
    if (!this.hasRepo(did)) return null
    const row = this.db(did).getBlob(cid)
    if (!row || row.takedownRef || row.tempKey) return null
    return { ...this.deps.blobs.getBlobStream(did, cid, range, row.size), mimeType: row.mimeType }
  }

  /** com.atproto.repo.importRepo: replaces the repo with a verified, re-signed copy of a CAR. */
  async importRepo(did: string, body: ReadableStream<Uint8Array>, maxBytes: number): Promise<{ cid: CID; rev: string }> {
    const bytes = await readLimited(body, maxBytes)
    return this.lock.run(did, () => {
      // The import signs a new commit whose rev is newer than this one (TIDs only grow).
      this.deps.journal?.willCommit(did, nextTid())
      const result = importCar(this.db(did), bytes, this.signingKey(did))
      this.afterCommit(did, result.cid, result.rev)
      this.safely('events.sync', () => this.deps.events().sync(did, { cid: result.cid, bytes: result.bytes, rev: result.rev }))
      return { cid: result.cid, rev: result.rev }
    })
  }

  listMissingBlobs(did: string, opts: { cursor?: string; limit: number }) {
    return this.db(did).listMissingBlobs(opts)
  }

  getPreferences(did: string, namespace: string, opts: { privileged: boolean }) {
    return readPreferences(this.db(did), namespace, opts)
  }

  putPreferences(did: string, values: unknown[], namespace: string, opts: { privileged: boolean }) {
    writePreferences(this.db(did), values, namespace, opts)
  }

  get actors(): ActorStore {
    return this.deps.actors
  }

  // ---- lifecycle (ACCOUNTS uses these) -----------------------------------------------------

  hasRepo(did: string): boolean {
    return this.deps.actors.exists(did)
  }

  /**
   * Creates the actor store and its genesis commit. It sequences nothing: the caller (createAccount)
   * emits #identity, #account, then the returned #commit and #sync, as the reference does, and none
   * at all for a deactivated (migrating) account.
   */
  async createRepo(did: string, signingKey: Keypair): Promise<GenesisCommit> {
    return this.lock.run(did, () => {
      if (this.deps.actors.exists(did)) throw invalidInput(`Repo already exists: ${did}`)
      const db = this.deps.actors.create(did, signingKey.exportPrivateKey())
      this.keys.set(did, signingKey)
      const commit = createEmptyRepo(did, signingKey, nextTid())
      this.deps.journal?.willCommit(did, commit.rev)
      persistCommit(db, commit, [], new Date().toISOString())
      this.afterCommit(did, commit.cid, commit.rev)
      return genesisOf(did, commit)
    })
  }

  /** The current commit block for a #sync event (activation, recovery); null without a repo. */
  syncEventData(did: string): SyncEventData | null {
    const root = this.getRepoRoot(did)
    const bytes = root && this.db(did).getBlock(root.cid)
    return root && bytes ? { cid: root.cid, bytes, rev: root.rev } : null
  }

  async deleteRepo(did: string): Promise<void> {
    await this.lock.run(did, async () => {
      this.keys.delete(did)
      this.deps.journal?.forget(did)
      this.deps.actors.destroy(did)
      await this.deps.blobs.deleteAll(did)
    })
  }

  signingKey(did: string): Keypair {
    let key = this.keys.get(did)
    if (!key) {
      key = Secp256k1Keypair.import(this.deps.actors.readKey(did))
      this.keys.set(did, key)
    }
    return key
  }

  /** What the account's repo holds, for people (the account web app's dashboard). */
  stats(did: string): { rev: string | null; repoBytes: number; records: number; blobs: number; blobBytes: number } | null {
    if (!this.deps.actors.exists(did)) return null
    const db = this.db(did)
    const blobs = db.blobTotals()
    return { rev: db.getRoot()?.rev ?? null, repoBytes: db.sumBlockBytes(), records: db.countRecords(), blobs: blobs.count, blobBytes: blobs.bytes }
  }

  /** A page of the repo's stored blobs with their type and size (the account web app's blob list). */
  listBlobDetails(did: string, opts: { cursor?: string; limit: number }): Array<{ cid: string; mimeType: string; size: number }> {
    if (!this.hasRepo(did)) return []
    const db = this.db(did)
    return db.listBlobCids(opts).flatMap((cid) => {
      const row = db.getBlob(cid)
      return row && !row.tempKey ? [{ cid, mimeType: row.mimeType, size: row.size }] : []
    })
  }

  db(did: string): ActorDb {
    return this.deps.actors.db(did)
  }

  // ---- block access (SYNC uses these) ------------------------------------------------------

  getRepoRoot(did: string): { cid: CID; rev: string } | null {
    if (!this.deps.actors.exists(did)) return null
    const root = this.db(did).getRoot()
    return root ? { cid: parseCid(root.cid), rev: root.rev } : null
  }

  blockReader(did: string): BlockReader {
    const db = this.db(did)
    return { get: (cid) => db.getBlock(cid) }
  }

  /** Every block of the current repo in deterministic order (commit, then MST pre-order). */
  *exportBlocks(did: string): Generator<Block> {
    const root = this.requireRoot(did)
    yield* walkRepoBlocks(this.blockReader(did), root.cid)
  }

  /** The whole repo as a streamed CAR (or only blocks newer than `since`). */
  exportCar(did: string, since?: string): AsyncGenerator<Uint8Array> {
    const root = this.requireRoot(did)
    const blocks = since ? this.db(did).blocksSince(since) : this.exportBlocks(did)
    return writeCar(root.cid, blocks)
  }

  /** The account's own records newer than an AppView's rev, for read-after-write (at most 10). */
  recordsSinceRev(did: string, rev: string): LocalRecords {
    return getRecordsSinceRev(this.db(did), did, rev)
  }

  // ---- moderation (com.atproto.admin.*SubjectStatus) ---------------------------------------

  /** A record's CID and takedown, or null when the repo or the record does not exist. */
  recordStatus(did: string, uri: string): { cid: string; takedownRef: string | null } | null {
    if (!this.hasRepo(did)) return null
    const row = this.db(did).getRecordByUri(uri)
    return row ? { cid: row.cid, takedownRef: row.takedownRef } : null
  }

  /** A blob's takedown, or null when the repo or the blob does not exist. */
  blobStatus(did: string, cid: string): { takedownRef: string | null } | null {
    if (!this.hasRepo(did)) return null
    const row = this.db(did).getBlob(cid)
    return row ? { takedownRef: row.takedownRef } : null
  }

  setRecordTakedown(did: string, uri: string, ref: string | null): void {
    this.db(did).setRecordTakedown(uri, ref)
  }

  /** A taken-down blob's bytes are quarantined (no longer served); a lifted takedown restores them. */
  async setBlobTakedown(did: string, cid: string, ref: string | null): Promise<void> {
    this.db(did).setBlobTakedown(cid, ref)
    if (ref) await this.deps.blobs.quarantine(did, cid)
    else await this.deps.blobs.unquarantine(did, cid)
  }

  /** The whole repo as CAR chunks from one snapshot of the actor store; null when it has no root. */
  exportFullCar(did: string): Generator<Uint8Array> | null {
    return fullRepoCar(this.deps.actors.location(did).dbLocation)
  }

  /** What a migration's checkAccountStatus reports: block, record and blob counts of the actor store. */
  repoStats(did: string): { blocks: number; records: number; expectedBlobs: number; importedBlobs: number } {
    const db = this.db(did)
    const blobs = db.blobCounts()
    return { blocks: db.countBlocks(), records: db.countRecords(), expectedBlobs: blobs.expected, importedBlobs: blobs.imported }
  }

  /** Commit block, the MST path proving (or disproving) a record, and the record block. */
  getRecordBlocks(did: string, collection: string, rkey: string): { root: CID; blocks: Block[] } {
    const root = this.requireRoot(did)
    const db = this.db(did)
    const reader = db.blockReader()
    const mst = Mst.load(reader, dataRootOf(db, root.cid))
    const path = `${collection}/${rkey}`
    const blocks = new Map<string, Block>()
    blocks.set(root.cid.toString(), { cid: root.cid, bytes: db.getBlock(root.cid)! })
    for (const [key, block] of coveringProof(mst, [path])) blocks.set(key, block)
    const recordCid = mst.get(path)
    const recordBytes = recordCid && db.getBlock(recordCid)
    if (recordCid && recordBytes) blocks.set(recordCid.toString(), { cid: recordCid, bytes: recordBytes })
    return { root: root.cid, blocks: [...blocks.values()] }
  }

  listBlobs(did: string, opts: { since?: string; cursor?: string; limit: number }): string[] {
    return this.db(did).listBlobCids(opts)
  }

  private requireRoot(did: string): { cid: CID; rev: string } {
    const root = this.getRepoRoot(did)
    if (!root) throw new ActorNotFoundError(did)
    return root
  }

  // ---- writes --------------------------------------------------------------------------------

  /** com.atproto.repo.applyWrites: every write in one signed commit. */
  async applyWrites(did: string, inputs: WriteInput[], opts: { validate?: boolean; swapCommit?: CID } = {}) {
    const writes = inputs.map((w) => this.prepare(did, w, opts.validate))
    const commit = await this.commitWrites(did, writes, { swapCommit: opts.swapCommit })
    return { commit: commit!, results: writes.map(toResult) }
  }

  prepare(did: string, w: WriteInput, validate?: boolean, swapCid?: CID | null): PreparedWrite {
    if (w.action === 'delete') return this.preparer.prepareDelete({ did, collection: w.collection, rkey: w.rkey, swapCid })
    return this.preparer.prepareCreateOrUpdate({ action: w.action, did, collection: w.collection, rkey: w.rkey, record: w.value, validate, swapCid })
  }

  /**
   * Commits prepared writes under the repo's lock. Options cover the single-record adapters:
   * `dedupeBacklinks` (createRecord: delete older likes/follows of the same subject, as the
   * reference), `upsert` (putRecord: create or update, no commit when nothing changes), and
   * `skipMissingDelete` (deleteRecord of an absent record is a no-op).
   */
  async commitWrites(
    did: string,
    writes: PreparedWrite[],
    opts: { swapCommit?: CID; dedupeBacklinks?: boolean; upsert?: boolean; skipMissingDelete?: boolean } = {},
  ): Promise<CommitRef | null> {
    const started = performance.now()
    const done = await this.lock.run(did, async () => {
      let db = this.db(did)
      const rootRow = db.getRoot()
      if (!rootRow) throw invalidInput(`No repo root found for ${did}`)
      const root = { cid: parseCid(rootRow.cid), rev: rootRow.rev }
      writes = this.resolveUnderLock(db, writes, opts)
      if (writes.length === 0) return null
      checkSwaps(db, root.cid, opts.swapCommit, writes)
      const pendingBlobs = checkBlobs(db, writes)
      const key = this.signingKey(did)
      const commit = buildCommit(db, root, writes, key, key.jwtAlg === 'ES256K' ? this.deps.noncePool?.take() : undefined)
      // File moves happen before the transaction and are idempotent (see blobs/store.ts).
      for (const blob of pendingBlobs) await this.deps.blobs.makePermanent(blob.tempKey, did, blob.cid)
      db = this.db(did)
      this.deps.journal?.willCommit(did, commit.rev)
      const transactionStarted = performance.now()
      const unreferenced = persistCommit(db, commit, writes, new Date().toISOString(), { deferSync: true })
      const transactionEnded = performance.now()
      // The actor store's sync starts now (storage/wal-sync.ts, shared with other repos' commits).
      // account.sqlite's copy of the head and the firehose event are written before the write is
      // acknowledged but not waited for on the disk: after a power loss, start-up recovery rebuilds
      // both from the actor store (recovery.ts). The event is published only once it and the commit
      // are durable (Sequencer.commit).
      const durable = db.flushCommits()
      this.afterCommit(did, commit.cid, commit.rev)
      const sequenced = this.safely('events.commit', () =>
        this.deps.events().commit(
          {
            did,
            commit: commit.cid,
            rev: commit.rev,
            since: commit.since,
            prevData: commit.prevData,
            blocks: [...commit.relevantBlocks.values()],
            ops: commit.ops.map((op) => ({ action: op.action, path: op.path, cid: op.cid, prev: op.prev })),
            blobs: writes.flatMap((w) => (w.action === 'delete' ? [] : w.blobs.map((b) => b.ref))),
          },
          durable,
        ),
      )
      // While the sync runs the event loop is free: it makes nonces for later commits (after the append).
      this.deps.noncePool?.fillWhile(durable)
      // The repo's next commit may build on this one once it is durable.
      await durable
      const durableAt = performance.now()
      // Not awaited: the commit stands whether or not the bytes go now (S3 deletes finish later).
      for (const cid of unreferenced) this.safely('blob delete', () => catchAsync(this.deps.blobs.delete(did, cid), (err) => this.deps.log.error('repo: blob delete failed after commit', { err })))
      return {
        ref: { cid: commit.cid.toString(), rev: commit.rev },
        stored: sequenced?.stored,
        transactionSeconds: (transactionEnded - transactionStarted) / 1000,
        durableWaitSeconds: (durableAt - transactionEnded) / 1000,
      }
    })
    // Outside the lock: the next commit of this repo need not wait for the event's append.
    await done?.stored
    if (done) {
      const { transactionSeconds, durableWaitSeconds } = done
      this.deps.metrics?.commit({ ops: writes.length, seconds: (performance.now() - started) / 1000, transactionSeconds, durableWaitSeconds })
    }
    return done?.ref ?? null
  }

  private resolveUnderLock(
    db: ActorDb,
    writes: PreparedWrite[],
    opts: { dedupeBacklinks?: boolean; upsert?: boolean; skipMissingDelete?: boolean },
  ): PreparedWrite[] {
    if (opts.upsert) {
      const write = writes[0] as PreparedCreateOrUpdate
      const current = db.getRecordRow(write.collection, write.rkey)
      if (current && current.cid === write.cid.toString()) return []
      write.action = current ? 'update' : 'create'
    }
    if (opts.skipMissingDelete) {
      const write = writes[0]!
      if (!db.getRecordRow(write.collection, write.rkey)) return []
    }
    if (opts.dedupeBacklinks) {
      const deletions: PreparedWrite[] = []
      for (const write of writes) {
        if (write.action !== 'create') continue
        for (const link of write.backlinks) {
          for (const rkey of db.backlinkRkeys(write.collection, link)) {
            deletions.push(this.preparer.prepareDelete({ did: db.did, collection: write.collection, rkey }))
          }
        }
      }
      return [...deletions, ...writes]
    }
    return writes
  }

  /** Updates account.sqlite's copy of the repo head (synced by later commits; recovery repairs it). */
  private afterCommit(did: string, cid: CID, rev: string): void {
    const accounts = this.deps.accounts?.()
    if (!accounts?.updateRepoRoot) return
    try {
      accounts.updateRepoRoot(did, cid, rev)
    } catch (err) {
      this.deps.log.error('failed to update account root', { did, err })
    }
  }

  private safely<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn()
    } catch (err) {
      this.deps.log.error(`repo: ${what} failed after commit`, { err })
    }
  }
}

function catchAsync(result: void | Promise<void>, onError: (err: unknown) => void): void {
  if (result instanceof Promise) result.catch(onError)
}

function toResult(write: PreparedWrite): WriteResult {
  if (write.action === 'delete') return { action: 'delete' }
  return { action: write.action, uri: write.uri, cid: write.cid.toString(), validationStatus: write.validationStatus }
}
