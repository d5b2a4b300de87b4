// Where the server keeps each piece of its state, and where the same piece lives inside a backup.
// A backup always uses the canonical (default) layout, whatever overrides the live server uses.
import { existsSync, readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Config } from '../../config/config.ts'

export type DataLayout = {
  dataDirectory: string
  envFile: string
  accountDb: string
  sequencerDb: string
  didCacheDb: string
  /** The bundled moderation service's database (always beside pds.env: it has no override). */
  moderationDb: string
  /** The moderation team's #atproto_label keys (<encoded DID>.label-key). */
  labelKeyDirectory: string
  actorStoreDirectory: string
  /** null when blobs live in S3: a backup then holds the databases and keys only. */
  blobDirectory: string | null
  blobTempDirectory: string | null
}

export const ACTOR_STORE_FILE = 'store.sqlite'
export const ACTOR_KEY_FILE = 'key'
export const MODERATION_DB_FILE = 'moderation.sqlite'
/** The label keys' folder, in the data directory and in a backup alike. */
export const LABEL_KEY_FOLDER = 'moderation'

/** The layout of a data directory with no overrides (also the layout inside a backup). */
export function canonicalLayout(dataDirectory: string): DataLayout {
  return {
    dataDirectory,
    envFile: join(dataDirectory, 'pds.env'),
    accountDb: join(dataDirectory, 'account.sqlite'),
    sequencerDb: join(dataDirectory, 'sequencer.sqlite'),
    didCacheDb: join(dataDirectory, 'did_cache.sqlite'),
    moderationDb: join(dataDirectory, MODERATION_DB_FILE),
    labelKeyDirectory: join(dataDirectory, LABEL_KEY_FOLDER),
    actorStoreDirectory: join(dataDirectory, 'actors'),
    blobDirectory: join(dataDirectory, 'blobs'),
    blobTempDirectory: join(dataDirectory, 'blobs', 'tmp'),
  }
}

export function layoutFromConfig(config: Config, envFile?: string): DataLayout {
  const disk = config.blobstore.provider === 'disk' ? config.blobstore : null
  return {
    dataDirectory: config.db.dataDirectory,
    envFile: envFile ?? join(config.db.dataDirectory, 'pds.env'),
    accountDb: config.db.accountDbLocation,
    sequencerDb: config.db.sequencerDbLocation,
    didCacheDb: config.db.didCacheDbLocation,
    moderationDb: join(config.db.dataDirectory, MODERATION_DB_FILE),
    labelKeyDirectory: join(config.db.dataDirectory, LABEL_KEY_FOLDER),
    actorStoreDirectory: config.db.actorStoreDirectory,
    blobDirectory: disk?.location ?? null,
    blobTempDirectory: disk?.tempLocation ?? null,
  }
}

/**
 * The server-wide databases, by their canonical file name, in snapshot order: the sequencer first,
 * accounts next; moderation after accounts (a label or event names an account that is in the copy).
 */
export function serverDatabases(layout: DataLayout): Array<{ name: string; path: string }> {
  return [
    { name: 'sequencer.sqlite', path: layout.sequencerDb },
    { name: 'account.sqlite', path: layout.accountDb },
    { name: MODERATION_DB_FILE, path: layout.moderationDb },
    { name: 'did_cache.sqlite', path: layout.didCacheDb },
  ]
}

export type ActorDir = {
  did: string
  /** actors/<2 hex>/<did>, relative to the actor store directory */
  relativeDir: string
  dir: string
}

/** Every actors/<2 hex>/<did>/ directory holding a store.sqlite. */
export function listActorDirs(actorStoreDirectory: string): ActorDir[] {
  const out: ActorDir[] = []
  if (!existsSync(actorStoreDirectory)) return out
  for (const shard of readdirSync(actorStoreDirectory, { withFileTypes: true })) {
    if (!shard.isDirectory()) continue
    const shardDir = join(actorStoreDirectory, shard.name)
    for (const entry of readdirSync(shardDir, { withFileTypes: true })) {
      const dir = join(shardDir, entry.name)
      if (!entry.isDirectory() || !existsSync(join(dir, ACTOR_STORE_FILE))) continue
      out.push({ did: entry.name, dir, relativeDir: relative(actorStoreDirectory, dir).split(sep).join('/') })
    }
  }
  return out.sort((a, b) => a.did.localeCompare(b.did))
}

/** Every file under a directory (recursively), as paths relative to it, skipping `exclude`. */
export function listFilesRecursive(root: string, exclude: string | null = null): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    if (!existsSync(dir) || (exclude && dir === exclude)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'))
    }
  }
  walk(root)
  return out.sort()
}

/** blobs/<did>/<cid>: where the disk blobstore keeps a committed blob. */
export function blobFilePath(blobDirectory: string, did: string, cid: string): string {
  return join(blobDirectory, did, cid)
}
