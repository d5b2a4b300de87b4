// The reference PDS's own schema bookkeeping (kysely's `kysely_migration` table), so that we can open
// the databases of a reference data directory in place. Our migration sets were written to hold the
// reference's tables unchanged; where a database already holds them (the reference created it), our
// equivalent migrations are recorded as applied instead of run, and only our own additions run.
// We never write to kysely_migration: the reference keeps migrating its databases as before.
import type { Database } from 'bun:sqlite'

type ReferenceSet = {
  /** Every reference migration name we know, in order. A name outside this list is a newer reference. */
  known: string[]
  /** Our migrations whose tables the reference's migrations above already created. */
  ours: string[]
}

// account-manager/db/migrations 001-007 (001-003 are our 001_init; 004-007 are its OAuth tables, which we
// leave alone), actor-store/db/migrations 001, sequencer/db/migrations 001, did-cache/db/migrations 001.
export const REFERENCE_SETS: Record<string, ReferenceSet> = {
  account: { known: ['001', '002', '003', '004', '005', '006', '007'], ours: ['001_init'] },
  actor: { known: ['001'], ours: ['001_init'] },
  sequencer: { known: ['001'], ours: ['001_init'] },
  did_cache: { known: ['001'], ours: ['001_init'] },
}

/** The reference's schema needs a version of this server that knows it: refuse, write nothing. */
export class NewerReferenceSchemaError extends Error {
  constructor(
    readonly file: string,
    readonly unknown: string[],
  ) {
    super(
      `${file} was migrated by a newer reference PDS than this server knows (unknown migrations ${unknown.join(', ')}); ` +
        'upgrade pds, or keep serving this directory with the reference PDS',
    )
    this.name = 'NewerReferenceSchemaError'
  }
}

/** A reference database whose schema is missing migrations ours assumes (an interrupted reference migration). */
export class IncompleteReferenceSchemaError extends Error {
  constructor(
    readonly file: string,
    readonly missing: string[],
  ) {
    super(`${file} is a reference PDS database without migrations ${missing.join(', ')}; start the reference PDS on it once to finish its migrations`)
    this.name = 'IncompleteReferenceSchemaError'
  }
}

/** The names in kysely_migration, or null when the reference never migrated this database. */
export function referenceMigrations(db: Database): string[] | null {
  const table = db.query("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get()
  if (!table) return null
  return db
    .query<{ name: string }, []>('SELECT name FROM kysely_migration ORDER BY name')
    .all()
    .map((r) => r.name)
}

/** What is wrong with a reference database's schema for us, without changing it (adopt --check, doctor). */
export function referenceSchemaProblem(db: Database, set: string, file: string): Error | null {
  const names = referenceMigrations(db)
  const known = REFERENCE_SETS[set]
  if (!names || !known) return null
  const unknown = names.filter((n) => !known.known.includes(n))
  if (unknown.length) return new NewerReferenceSchemaError(file, unknown)
  // Our tables are the reference's first migrations (and, for accounts, 002 and 003).
  const needed = set === 'account' ? ['001', '002', '003'] : ['001']
  const missing = needed.filter((n) => !names.includes(n))
  if (missing.length) return new IncompleteReferenceSchemaError(file, missing)
  return null
}

/**
 * Called before our migrations run on a database: refuses a reference schema we do not know, and records
 * our migrations that the reference's already applied, the first time we open a reference database.
 * Inside one transaction with the caller's bookkeeping table already created.
 */
export function adoptReferenceSchema(db: Database, set: string, applied: Set<string>, file: string): void {
  const problem = referenceSchemaProblem(db, set, file)
  if (problem) throw problem
  const known = REFERENCE_SETS[set]
  if (!known || referenceMigrations(db) === null) return
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const name of known.ours) {
      if (applied.has(name)) continue
      db.query('INSERT INTO pds_migration (name, applied_at) VALUES (?, ?)').run(name, now)
      applied.add(name)
    }
  })()
}
