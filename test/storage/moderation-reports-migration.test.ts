// Migration 004 on a moderation.sqlite written before it: every report event gets its report row, closed or
// escalated when a later event on the subject did so, muted when the reporter was.
import { afterAll, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MIGRATIONS } from '../../src/generated/migrations.gen.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'mod-reports-migration-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const EV = 'tools.ozone.moderation.defs#modEvent'
const ALICE = 'did:plc:alice'
const POST = `at://${ALICE}/app.bsky.feed.post/3kabc`

test('existing report events are backfilled as report rows with the status later events gave them', () => {
  const path = join(dir, 'moderation.sqlite')
  const old = new Database(path, { create: true, strict: true })
  old.exec('CREATE TABLE pds_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT')
  for (const [name, sql] of Object.entries(MIGRATIONS.moderation as Record<string, string>).sort()) {
    if (name >= '004') continue
    old.exec(sql)
    old.query('INSERT INTO pds_migration (name, applied_at) VALUES (?, ?)').run(name, '2026-01-01T00:00:00.000Z')
  }
  const insert = old.query('INSERT INTO mod_event (type, subject_did, subject_uri, subject_cid, event, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const event = (type: string, uri: string | null, body: Record<string, unknown>, at: string) => insert.run(`${EV}${type}`, ALICE, uri, uri ? 'bafycid' : null, JSON.stringify({ $type: `${EV}${type}`, ...body }), 'did:plc:bob', at)
  event('Report', POST, { reportType: 'com.atproto.moderation.defs#reasonSpam', comment: 'spam' }, '2026-01-01T10:00:00.000Z') // 1: acknowledged by 3
  event('Report', null, { reportType: 'com.atproto.moderation.defs#reasonRude' }, '2026-01-01T10:01:00.000Z') // 2: escalated by 4
  event('Acknowledge', POST, {}, '2026-01-01T10:02:00.000Z')
  event('Escalate', null, {}, '2026-01-01T10:03:00.000Z')
  event('Report', POST, { reportType: 'com.atproto.moderation.defs#reasonSpam', isReporterMuted: true }, '2026-01-01T10:04:00.000Z') // 5: after the ack: open
  event('Report', null, {}, '2026-01-01T10:05:00.000Z') // 6: no report type
  old.close()

  const db = openDatabase(path, 'moderation', { synchronous: 'NORMAL' })
  const rows = db.query<Record<string, unknown>, []>('SELECT event_id, status, queue_id, report_type, did, record_path, is_muted, created_at, closed_at FROM report ORDER BY event_id').all()
  db.close()
  expect(rows).toEqual([
    { event_id: 1, status: 'closed', queue_id: -1, report_type: 'com.atproto.moderation.defs#reasonSpam', did: ALICE, record_path: 'app.bsky.feed.post/3kabc', is_muted: 0, created_at: '2026-01-01T10:00:00.000Z', closed_at: '2026-01-01T10:02:00.000Z' },
    { event_id: 2, status: 'escalated', queue_id: -1, report_type: 'com.atproto.moderation.defs#reasonRude', did: ALICE, record_path: '', is_muted: 0, created_at: '2026-01-01T10:01:00.000Z', closed_at: null },
    { event_id: 5, status: 'open', queue_id: -1, report_type: 'com.atproto.moderation.defs#reasonSpam', did: ALICE, record_path: 'app.bsky.feed.post/3kabc', is_muted: 1, created_at: '2026-01-01T10:04:00.000Z', closed_at: null },
    { event_id: 6, status: 'open', queue_id: -1, report_type: 'com.atproto.moderation.defs#reasonOther', did: ALICE, record_path: '', is_muted: 0, created_at: '2026-01-01T10:05:00.000Z', closed_at: null },
  ])
})
