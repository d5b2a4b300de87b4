// Commits in a watched database reach the database file through the background checkpointer,
// not through SQLite's autocheckpoint on the writer (whose threshold is raised to a safety net).
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { SAFETY_NET_AUTOCHECKPOINT } from '../../src/storage/wal-checkpointer.ts'

test('a worker checkpoints the WAL of a database after it changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-ckpt-'))
  try {
    const path = join(dir, 'store.sqlite')
    const db = openDatabase(path, 'actor')
    expect((db.query('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(SAFETY_NET_AUTOCHECKPOINT)
    const before = statSync(path).size
    const insert = db.query('INSERT INTO account_pref (name, valueJson) VALUES (?, ?)')
    for (let i = 0; i < 300; i++) insert.run(`pref${i}`, 'x'.repeat(3000))
    // Far below the raised threshold: only the background checkpoint can move these pages.
    expect(statSync(path).size).toBe(before)
    const deadline = Date.now() + 5000
    while (statSync(path).size < before + 300 * 3000 && Date.now() < deadline) await Bun.sleep(50)
    expect(statSync(path).size).toBeGreaterThanOrEqual(before + 300 * 3000)
    expect((db.query('SELECT count(*) AS n FROM account_pref').get() as { n: number }).n).toBe(300)
    db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
