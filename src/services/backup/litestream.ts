// `pds litestream-config`: a litestream.yml (Litestream 0.3) replicating every SQLite database of the
// data directory to S3, and the list of database paths whose WAL checkpoints PDS_LITESTREAM=true leaves
// to Litestream. Litestream copies databases only: signing and label keys, pds.env and disk blobs still need the
// (off-site) backup. Litestream 0.3 has no wildcard for databases, so an account created after the file
// was generated is not replicated until it is generated again and Litestream restarted.
import { join } from 'node:path'
import type { Config } from '../../config/config.ts'
import { ACTOR_STORE_FILE, listActorDirs, MODERATION_DB_FILE, serverDatabases, type DataLayout } from './layout.ts'

/** The database files and folders Litestream takes over (for the checkpointer switch). */
export function litestreamDatabases(config: Config): string[] {
  const server = [config.db.accountDbLocation, config.db.sequencerDbLocation, config.db.didCacheDbLocation, join(config.db.dataDirectory, MODERATION_DB_FILE)]
  return config.db.litestream === 'all' ? [...server, config.db.actorStoreDirectory] : server
}

export type LitestreamTarget = { bucket: string; prefix: string; endpoint?: string; region?: string; forcePathStyle: boolean }

/** Every database under the layout: its path, and its name in the replica (the canonical layout's). */
export function replicatedDatabases(layout: DataLayout, opts: { actors?: boolean } = {}): Array<{ path: string; name: string }> {
  const out = serverDatabases(layout).map((db) => ({ path: db.path, name: db.name }))
  if (opts.actors === false) return out
  for (const actor of listActorDirs(layout.actorStoreDirectory)) {
    out.push({ path: join(actor.dir, ACTOR_STORE_FILE), name: `actors/${actor.relativeDir}/${ACTOR_STORE_FILE}` })
  }
  return out
}

// YAML accepts JSON strings: quoting every value this way is safe for any path or name.
const q = (value: string) => JSON.stringify(value)

export function litestreamConfig(opts: { layout: DataLayout; target: LitestreamTarget; recipient?: string; actors?: boolean; generatedAt?: Date }): string {
  const { layout, target } = opts
  const databases = replicatedDatabases(layout, { actors: opts.actors })
  const base = target.prefix ? `${target.prefix}/` : ''
  const lines = [
    `# litestream.yml for ${layout.dataDirectory}, written by \`pds litestream-config\` at ${(opts.generatedAt ?? new Date()).toISOString()}.`,
    `# ${databases.length} databases: ${opts.actors === false ? 'the server-wide ones only (--no-actors)' : 'the server-wide ones and one per account'}. Generate it again (and restart`,
    '# Litestream) after accounts are created. Run pds with PDS_LITESTREAM=true so that Litestream, not pds,',
    '# checkpoints the WAL. Credentials: LITESTREAM_ACCESS_KEY_ID / LITESTREAM_SECRET_ACCESS_KEY in its environment.',
    '# Litestream copies databases only: keep `pds backup` for the signing and label keys, pds.env and blobs.',
    'dbs:',
  ]
  for (const db of databases) {
    lines.push(`  - path: ${q(db.path)}`, '    replicas:', '      - type: s3', `        bucket: ${q(target.bucket)}`, `        path: ${q(base + db.name)}`)
    if (target.endpoint) lines.push(`        endpoint: ${q(target.endpoint)}`)
    if (target.region) lines.push(`        region: ${q(target.region)}`)
    if (target.forcePathStyle) lines.push('        force-path-style: true')
    if (opts.recipient) lines.push('        age:', '          recipients:', `            - ${q(opts.recipient)}`)
  }
  return lines.join('\n') + '\n'
}
