// Rows of inbound_migration: the account app's move-here wizard (see migrations/account/410_inbound_migration.sql).
import type { Database } from 'bun:sqlite'

export type InboundMigrationRow = {
  id: string
  fromUrl: string
  identifier: string
  did: string | null
  handle: string | null
  state: string
  progress: string
  error: string | null
  createdAt: number
  updatedAt: number
}

export function getInboundMigration(db: Database, id: string): InboundMigrationRow | null {
  return db.query<InboundMigrationRow, [string]>('SELECT * FROM inbound_migration WHERE id = ?').get(id)
}

export function putInboundMigration(db: Database, row: InboundMigrationRow) {
  db.query(
    `INSERT INTO inbound_migration (id, fromUrl, identifier, did, handle, state, progress, error, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET fromUrl = excluded.fromUrl, identifier = excluded.identifier, did = excluded.did,
       handle = excluded.handle, state = excluded.state, progress = excluded.progress, error = excluded.error, updatedAt = excluded.updatedAt`,
  ).run(row.id, row.fromUrl, row.identifier, row.did, row.handle, row.state, row.progress, row.error, row.createdAt, row.updatedAt)
}

export function deleteInboundMigration(db: Database, id: string) {
  db.query('DELETE FROM inbound_migration WHERE id = ?').run(id)
}

/** Finished or abandoned wizards older than `before`. */
export function deleteStaleInboundMigrations(db: Database, before: number) {
  db.query('DELETE FROM inbound_migration WHERE updatedAt < ?').run(before)
}
