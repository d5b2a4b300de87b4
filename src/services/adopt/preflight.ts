// The check `pds serve` makes before it opens anything in its data directory: a reference PDS's
// directory served for the first time is inspected in full (a half-copied or too new one is refused
// with nothing written); later starts only check the schemas, which the reference may have upgraded
// meanwhile if the operator switched back and forth.
import { existsSync, statSync } from 'node:fs'
import type { Config } from '../../config/config.ts'
import { openForInspection, readSchema } from '../../storage/data-directory-probe.ts'
export { IncompleteReferenceSchemaError, NewerReferenceSchemaError } from '../../storage/reference-schema.ts'
import { inspectDataDirectory, type AdoptionReport, type DataDirectoryPaths } from './inspect.ts'

export class DataDirectoryRefusedError extends Error {
  constructor(readonly report: AdoptionReport) {
    super(`cannot serve ${report.dataDirectory}:\n${report.problems.map((p) => `  - ${p}`).join('\n')}\nnothing was changed`)
    this.name = 'DataDirectoryRefusedError'
  }
}

export function dataDirectoryPaths(config: Config): DataDirectoryPaths {
  return {
    dataDirectory: config.db.dataDirectory,
    accountDbLocation: config.db.accountDbLocation,
    sequencerDbLocation: config.db.sequencerDbLocation,
    didCacheDbLocation: config.db.didCacheDbLocation,
    actorStoreDirectory: config.db.actorStoreDirectory,
    blobDirectory: config.blobstore.provider === 'disk' ? config.blobstore.location : undefined,
  }
}

/** Throws DataDirectoryRefusedError when the directory must not be served; returns what it found otherwise. */
export function checkBeforeServing(paths: DataDirectoryPaths): AdoptionReport | null {
  // Only a file can be a database; anything else fails to open with its own, clearer error.
  if (!existsSync(paths.accountDbLocation) || !statSync(paths.accountDbLocation).isFile()) return null
  let firstAdoption: boolean
  try {
    const db = openForInspection(paths.accountDbLocation)
    try {
      const schema = readSchema(db, 'account', paths.accountDbLocation)
      if (!schema.reference) return null
      firstAdoption = schema.ours === null
    } finally {
      db.close()
    }
  } catch {
    firstAdoption = true // not readable as SQLite: the full inspection says what is wrong
  }
  const report = firstAdoption ? inspectDataDirectory(paths) : inspectSchemasOnly(paths)
  if (report.problems.length) throw new DataDirectoryRefusedError(report)
  return report
}

function inspectSchemasOnly(paths: DataDirectoryPaths): AdoptionReport {
  const problems: string[] = []
  for (const [set, file] of [
    ['account', paths.accountDbLocation],
    ['sequencer', paths.sequencerDbLocation],
    ['did_cache', paths.didCacheDbLocation],
  ] as const) {
    if (!existsSync(file)) continue
    const db = openForInspection(file)
    try {
      const problem = readSchema(db, set, file).problem
      if (problem) problems.push(problem)
    } finally {
      db.close()
    }
  }
  return { dataDirectory: paths.dataDirectory, kind: 'adopted', ok: problems.length === 0, accounts: 0, lastSeq: null, carriesOver: [], cannotCarryOver: [], problems }
}
