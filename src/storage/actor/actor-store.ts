// Where each account's files live, and a bounded LRU of open actor databases.
// Layout (as the reference): <dir>/<first 2 hex of sha256(did)>/<did>/{store.sqlite,key}.
import { createHash } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase, type SqliteSynchronous } from '../sqlite.ts'
import { mkdirDurable } from '../durable-fs.ts'
import { KeyFiles } from '../key-files.ts'
import { FDS_PER_DATABASE } from '../open-files.ts'
import { ActorDb } from './actor-db.ts'

/** Each open actor database's page cache, in KiB. */
const ACTOR_CACHE_KB = 512

export class ActorNotFoundError extends Error {
  constructor(readonly did: string) {
    super(`Repo not found: ${did}`)
    this.name = 'ActorNotFoundError'
  }
}

export type ActorStoreOptions = {
  directory: string
  /** How many databases stay open at once; the least recently used one is closed first. */
  cacheSize: number
  /** FULL unless the operator opted out (see openDatabase). */
  synchronous?: SqliteSynchronous
  /** File descriptors the open databases may hold together (FDS_PER_DATABASE each). */
  maxOpenFiles?: number
  /** Reads and writes signing keys, sealed when a key encryption key is configured. */
  keys?: KeyFiles
}

export class ActorStore {
  // Map keeps insertion order: re-inserting on use makes the first key the least recently used.
  private readonly open = new Map<string, ActorDb>()
  readonly keys: KeyFiles
  /** Databases kept open: the smaller of cacheSize and what maxOpenFiles allows. */
  readonly capacity: number

  constructor(private readonly opts: ActorStoreOptions) {
    mkdirDurable(opts.directory)
    this.keys = opts.keys ?? new KeyFiles()
    const byFiles = opts.maxOpenFiles === undefined ? Infinity : Math.floor(opts.maxOpenFiles / FDS_PER_DATABASE)
    this.capacity = Math.max(1, Math.min(opts.cacheSize, byFiles))
  }

  get directory(): string {
    return this.opts.directory
  }

  location(did: string): { directory: string; dbLocation: string; keyLocation: string } {
    const shard = createHash('sha256').update(did).digest('hex').slice(0, 2)
    const directory = join(this.opts.directory, shard, did)
    return { directory, dbLocation: join(directory, 'store.sqlite'), keyLocation: join(directory, 'key') }
  }

  exists(did: string): boolean {
    return this.open.has(did) || existsSync(this.location(did).dbLocation)
  }

  /** Creates the account's directory, database and key file (synced before the account exists). */
  create(did: string, privateKey: Uint8Array): ActorDb {
    const { directory, keyLocation } = this.location(did)
    // The account is acknowledged once created: its folder and key must survive a power loss too.
    mkdirDurable(directory)
    this.keys.write(keyLocation, privateKey, did)
    return this.db(did, true)
  }

  readKey(did: string): Uint8Array {
    const { keyLocation } = this.location(did)
    if (!existsSync(keyLocation)) throw new ActorNotFoundError(did)
    return this.keys.read(keyLocation, did)
  }

  /** The open database of an existing account. */
  db(did: string, create = false): ActorDb {
    const cached = this.open.get(did)
    if (cached) {
      this.open.delete(did)
      this.open.set(did, cached)
      return cached
    }
    const { dbLocation } = this.location(did)
    if (!create && !existsSync(dbLocation)) throw new ActorNotFoundError(did)
    this.evictDownTo(this.capacity - 1)
    const synchronous = this.opts.synchronous ?? 'FULL'
    let database
    try {
      database = openDatabase(dbLocation, 'actor', { synchronous })
    } catch (err) {
      // Out of descriptors (sockets took them): give back half of ours and try once more.
      if (this.open.size === 0 || !/unable to open|too many open files/i.test(String(err))) throw err
      this.evictDownTo(Math.floor(this.open.size / 2))
      database = openDatabase(dbLocation, 'actor', { synchronous })
    }
    // SQLite's default page cache is 2 MB per connection, and up to cacheSize stores stay open:
    // hundreds of accounts' caches would hold most of the server's memory. An actor store is small
    // and its hot pages stay in the OS page cache anyway.
    database.exec(`PRAGMA cache_size = -${ACTOR_CACHE_KB}`)
    const actorDb = new ActorDb(did, database)
    this.open.set(did, actorDb)
    return actorDb
  }

  /** Closes the least recently used databases until at most `size` stay open. */
  private evictDownTo(size: number): void {
    while (this.open.size > Math.max(0, size)) {
      const [oldestDid, oldest] = this.open.entries().next().value as [string, ActorDb]
      this.open.delete(oldestDid)
      oldest.close()
    }
  }

  /** Removes every file of the account. */
  destroy(did: string): void {
    const cached = this.open.get(did)
    if (cached) {
      this.open.delete(did)
      cached.close()
    }
    rmSync(this.location(did).directory, { recursive: true, force: true })
  }

  openCount(): number {
    return this.open.size
  }

  close(): void {
    for (const db of this.open.values()) db.close()
    this.open.clear()
  }
}
