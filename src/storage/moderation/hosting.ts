// Reads of mod_event that name who took an account down or restored it (tools.ozone.hosting.getAccountHistory).
import type { Database } from 'bun:sqlite'

export const eventCreator = (db: Database, id: number) => db.query<{ created_by: string }, [number]>('SELECT created_by FROM mod_event WHERE id = ?').get(id)?.created_by ?? null

/** The latest account-level event of `type` for the subject within [from, to] (ISO times). */
export const latestAccountEventCreator = (db: Database, did: string, type: string, from: string, to: string) =>
  db
    .query<{ created_by: string }, [string, string, string, string]>(
      'SELECT created_by FROM mod_event WHERE subject_did = ? AND subject_uri IS NULL AND type = ? AND created_at BETWEEN ? AND ? ORDER BY id DESC LIMIT 1',
    )
    .get(did, type, from, to)?.created_by ?? null
