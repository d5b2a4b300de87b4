// A data directory written the way the server lays it out (REPO helper's actor store schema),
// built straight from the core so backup tests need no running server.
import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { CID, cidForRaw } from '../../src/core/cbor.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { applyWritesToRepo, createEmptyRepo, type CommitData } from '../../src/core/repo/index.ts'
import { nextTid } from '../../src/core/syntax/tid.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { KeyFiles } from '../../src/storage/key-files.ts'
import { labelKeyLabel, labelKeyPath } from '../../src/storage/moderation/label-keys.ts'

// The columns backups read, for checkouts where migrations/actor has not landed yet (no-op after).
const FALLBACK_SCHEMA = `
CREATE TABLE IF NOT EXISTS repo_root (did TEXT PRIMARY KEY, cid TEXT NOT NULL, rev TEXT NOT NULL, indexedAt TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repo_block (cid TEXT PRIMARY KEY, repoRev TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blob (cid TEXT PRIMARY KEY, mimeType TEXT NOT NULL, size INTEGER NOT NULL, tempKey TEXT,
  width INTEGER, height INTEGER, createdAt TEXT NOT NULL, takedownRef TEXT);
CREATE TABLE IF NOT EXISTS record_blob (blobCid TEXT NOT NULL, recordUri TEXT NOT NULL, PRIMARY KEY (blobCid, recordUri));`

export class FixtureActor {
  readonly db: Database
  readonly key = Secp256k1Keypair.create()
  head: CommitData
  readonly dir: string
  readonly written: string[] = []

  constructor(
    readonly dataDir: string,
    readonly did: string,
  ) {
    const shard = bytesToHex(sha256(new TextEncoder().encode(did))).slice(0, 2)
    this.dir = join(dataDir, 'actors', shard, did)
    mkdirSync(this.dir, { recursive: true })
    writeFileSync(join(this.dir, 'key'), this.key.exportPrivateKey(), { mode: 0o600 })
    this.db = openDatabase(join(this.dir, 'store.sqlite'), 'actor')
    this.db.exec(FALLBACK_SCHEMA)
    this.head = createEmptyRepo(did, this.key, nextTid())
    this.store(this.head)
  }

  private store(commit: CommitData) {
    this.db.transaction(() => {
      const put = this.db.query('INSERT OR REPLACE INTO repo_block (cid, repoRev, size, content) VALUES (?, ?, ?, ?)')
      for (const [cid, block] of commit.newBlocks) put.run(cid, commit.rev, block.bytes.length, block.bytes)
      const del = this.db.query('DELETE FROM repo_block WHERE cid = ?')
      for (const cid of commit.removedCids) del.run(cid.toString())
      this.db
        .query('INSERT OR REPLACE INTO repo_root (did, cid, rev, indexedAt) VALUES (?, ?, ?, ?)')
        .run(this.did, commit.cid.toString(), commit.rev, new Date().toISOString())
    })()
  }

  createRecord(rkey: string, record: Record<string, unknown>, blob?: { cid: CID }) {
    const reader = { get: (cid: CID) => this.db.query<{ content: Uint8Array }, [string]>('SELECT content FROM repo_block WHERE cid = ?').get(cid.toString())?.content }
    const next = applyWritesToRepo({
      reader,
      prevCommit: { cid: this.head.cid, dataRoot: this.head.dataRoot, rev: this.head.rev },
      did: this.did,
      writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey, record }],
      signer: this.key,
      rev: nextTid(this.head.rev),
    })
    this.store(next)
    if (blob) {
      this.db.query('INSERT OR IGNORE INTO record_blob (blobCid, recordUri) VALUES (?, ?)').run(blob.cid.toString(), `at://${this.did}/app.bsky.feed.post/${rkey}`)
    }
    this.head = next
    this.written.push(rkey)
  }

  /** Stores blob bytes as the disk blobstore does (blobs/<did>/<cid>) with its blob row. */
  addBlob(bytes: Uint8Array): { cid: CID } {
    const cid = cidForRaw(bytes)
    mkdirSync(join(this.dataDir, 'blobs', this.did), { recursive: true })
    writeFileSync(join(this.dataDir, 'blobs', this.did, cid.toString()), bytes)
    this.db
      .query('INSERT INTO blob (cid, mimeType, size, createdAt) VALUES (?, ?, ?, ?)')
      .run(cid.toString(), 'application/octet-stream', bytes.length, new Date().toISOString())
    return { cid }
  }
}

/** account/sequencer/did_cache databases plus `n` actors, each with a few records and a blob. */
export function makeDataDir(dataDir: string, n = 2): FixtureActor[] {
  for (const set of ['account', 'sequencer', 'did_cache']) openDatabase(join(dataDir, `${set}.sqlite`), set).close()
  if (!existsSync(join(dataDir, 'pds.env'))) writeFileSync(join(dataDir, 'pds.env'), `PDS_HOSTNAME=localhost\nPDS_DATA_DIRECTORY=${dataDir}\n`, { mode: 0o600 })
  const actors: FixtureActor[] = []
  for (let i = 0; i < n; i++) {
    const actor = new FixtureActor(dataDir, `did:plc:fixture${i}aaaaaaaaaaaaaaaa`)
    const blob = actor.addBlob(new TextEncoder().encode(`blob of actor ${i}`))
    actor.createRecord('3kaaaaaaaaaa2', { $type: 'app.bsky.feed.post', text: 'first', createdAt: new Date().toISOString() }, blob)
    actor.createRecord('3kaaaaaaaaab2', { $type: 'app.bsky.feed.post', text: 'second', createdAt: new Date().toISOString() })
    actors.push(actor)
  }
  return actors
}

export type FixtureTeam = { did: string; keyPath: string; labels: unknown[]; events: unknown[] }

/**
 * A moderation team as the bundled service leaves it: moderation.sqlite (its own migrations) with a
 * signed-looking label and a report event, and the team's label key (sealed when `keys` has a sealer).
 */
export function addModerationTeam(dataDir: string, keys = new KeyFiles()): FixtureTeam {
  const did = 'did:plc:fixtureteamaaaaaaaaaaaaa'
  const db = openDatabase(join(dataDir, 'moderation.sqlite'), 'moderation')
  const now = new Date().toISOString()
  db.query('INSERT INTO label (src, uri, val, cts, sig) VALUES (?, ?, ?, ?, ?)').run(did, 'did:plc:fixture0aaaaaaaaaaaaaaaa', 'spam', now, new Uint8Array(64).fill(7))
  db.query('INSERT INTO mod_event (type, subject_did, event, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(
    'tools.ozone.moderation.defs#modEventReport',
    'did:plc:fixture0aaaaaaaaaaaaaaaa',
    JSON.stringify({ reportType: 'com.atproto.moderation.defs#reasonSpam' }),
    'did:plc:fixture1aaaaaaaaaaaaaaaa',
    now,
  )
  const keyPath = labelKeyPath(join(dataDir, 'moderation'), did)
  mkdirSync(join(dataDir, 'moderation'), { recursive: true })
  keys.write(keyPath, Secp256k1Keypair.create().exportPrivateKey(), labelKeyLabel(did))
  db.close()
  return { did, keyPath, ...readModerationRows(join(dataDir, 'moderation.sqlite')) }
}

/** The label and event rows of a (restored) moderation.sqlite. */
export function readModerationRows(path: string): { labels: unknown[]; events: unknown[] } {
  const db = new Database(path)
  try {
    return { labels: db.query('SELECT * FROM label ORDER BY seq').all(), events: db.query('SELECT * FROM mod_event ORDER BY id').all() }
  } finally {
    db.close()
  }
}
