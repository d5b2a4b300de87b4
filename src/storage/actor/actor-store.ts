// Where each account's files live, and a bounded LRU of open actor databases.
// Layout (as the reference): <dir>/<first 2 hex of sha256(did)>/<did>/{store.sqlite,key}.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../sqlite.ts'
import { KeyFiles } from '../key-files.ts'
import { ActorDb } from './actor-db.ts'

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
  /** Reads and writes signing keys, sealed when a key encryption key is configured. */
  keys?: KeyFiles
}

export class ActorStore {
  // Map keeps insertion order: re-inserting on use makes the first key the least recently used.
  private readonly open = new Map<string, ActorDb>()
  readonly keys: KeyFiles

  constructor(private readonly opts: ActorStoreOptions) {
    mkdirSync(opts.directory, { recursive: true })
    this.keys = opts.keys ?? new KeyFiles()
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
    mkdirSync(directory, { recursive: true })
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
    // WAL + NORMAL: a committed write survives kill -9 of the process (tested); only an OS crash or
    // power loss can drop the last transactions. FULL would fsync every commit (~4x slower writes).
    const actorDb = new ActorDb(did, openDatabase(dbLocation, 'actor', { synchronous: 'NORMAL' }))
    this.open.set(did, actorDb)
    while (this.open.size > Math.max(1, this.opts.cacheSize)) {
      const [oldestDid, oldest] = this.open.entries().next().value as [string, ActorDb]
      this.open.delete(oldestDid)
      oldest.close()
    }
    return actorDb
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
