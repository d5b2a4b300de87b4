// Every SQL statement lives in src/storage: services, the edge and the CLI call typed storage methods.
// The scan anchors on SQL shapes written in upper case, as this code base writes SQL (SELECT … FROM,
// INSERT INTO, UPDATE … SET, DELETE FROM, CREATE TABLE/INDEX, PRAGMA, transaction control), so
// English text ("Select an account from the list") never matches.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const ROOT = join(import.meta.dir, '../..')
const SCANNED = ['src', 'cli']
const SOURCE = /\.(ts|tsx|js|mjs|cjs|sql)$/

/** Where SQL belongs: the storage layer, and the migrations embedded from migrations/ for it. */
const HOME = ['src/storage/', 'src/generated/migrations.gen.ts']


const SQL_SHAPES: RegExp[] = [
  /\bSELECT\b[^;'"`]{0,400}?\bFROM\b/g,
  /['"`]\s*SELECT\s/g, // SELECT without FROM: 'SELECT 1', 'SELECT sqlite_version()'
  /\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\s/g,
  /\bREPLACE\s+INTO\s/g,
  /\bUPDATE\s+\w+\s+SET\s/g,
  /\bDELETE\s+FROM\s/g,
  /\b(?:CREATE|DROP|ALTER)\s+(?:UNIQUE\s+|TEMP\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b/g,
  /\bPRAGMA\s+\w+/g,
  /['"`]\s*(?:BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ATTACH|DETACH)\b[\w\s]*['"`]/g,
  /\bfrom\s+['"]bun:sqlite['"]/g, // a value import opens databases; `import type` (handles passed around) is fine
]

export type Finding = { line: number; text: string }

/** The lines of `source` that hold an SQL statement (or open a database), first occurrence per line. */
export function findSql(source: string): Finding[] {
  const lines = new Map<number, string>()
  for (const shape of SQL_SHAPES) {
    for (const match of source.matchAll(shape)) {
      const start = source.lastIndexOf('\n', match.index) + 1
      const end = source.indexOf('\n', match.index)
      const text = source.slice(start, end === -1 ? undefined : end)
      if (shape.source.includes('bun:sqlite') && /^\s*import\s+type\b/.test(text)) continue
      const line = source.slice(0, match.index).split('\n').length
      if (!lines.has(line)) lines.set(line, text.trim())
    }
  }
  return [...lines].sort(([a], [b]) => a - b).map(([line, text]) => ({ line, text }))
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(path)
    else if (SOURCE.test(entry.name)) yield path
  }
}

describe('SQL lives in src/storage', () => {
  test('no SQL statement in src/ or cli/ outside src/storage', () => {
    const offenders: string[] = []
    let scanned = 0
    for (const top of SCANNED) {
      for (const path of sourceFiles(join(ROOT, top))) {
        const rel = relative(ROOT, path).split('\\').join('/')
        if (HOME.some((home) => rel.startsWith(home))) continue
        scanned++
        for (const { line, text } of findSql(readFileSync(path, 'utf8'))) offenders.push(`${rel}:${line}: ${text}`)
      }
    }
    expect(scanned).toBeGreaterThan(100)
    expect(offenders).toEqual([])
  })

  test('the scan finds SQL shapes, including statements split over lines', () => {
    const fixture = [
      "db.query('SELECT doc, updatedAt FROM did_doc WHERE did = ?').get(did)",
      'db.query(`SELECT record.uri, repo_block.content',
      '   FROM record JOIN repo_block ON repo_block.cid = record.cid`)',
      "db.query('INSERT OR IGNORE INTO oauth_replay (namespace, value) VALUES (?, ?)')",
      "db.query('UPDATE account SET invitesDisabled = ? WHERE did = ?')",
      "db.query('DELETE FROM refresh_token WHERE did = ?')",
      "db.run('CREATE TABLE probe (id INTEGER PRIMARY KEY) STRICT')",
      "db.exec('PRAGMA busy_timeout = 5000')",
      "db.exec('BEGIN')",
      "accountDb.query('SELECT 1').get()",
      "import { Database } from 'bun:sqlite'",
    ].join('\n')
    expect(findSql(fixture).map((f) => f.line)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10, 11])
  })

  test('ordinary English and handle-passing code are not SQL', () => {
    const fixture = [
      "throw new Error('Select an account from the list')",
      '// delete from the cache, then update the session set on the device',
      "const hint = 'Insert into the form the code we sent; create table of contents'",
      "log.info('update handle set by the user')",
      "import type { Database } from 'bun:sqlite'",
      "const label = 'Begin with your handle'",
      "const c = await ours.run((c) => c.query('com.atproto.server.getSession'))",
      '// Ops in the same millisecond keep their order (SELECT … ORDER BY rowid in storage).',
    ].join('\n')
    expect(findSql(fixture)).toEqual([])
  })
})
