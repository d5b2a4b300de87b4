// The operator console's services on a real account database: the audit log (newest first, cursor pages,
// by subject), console sessions (hashed, idle expiry, ended per operator), the configuration summary's
// masking, the recent-errors ring of the logger, and listing pages kept within range.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { ADMIN, AuditLog } from '../../src/services/admin/audit.ts'
import { CONSOLE_SESSION_IDLE_MS, ConsoleSessions } from '../../src/services/admin/console-sessions.ts'
import { configSummary, maskUrl } from '../../src/services/admin/config-summary.ts'
import { buildConfig } from '../../src/config/config.ts'
import { testEnv } from '../helpers/server.ts'
import { createLogger, RECENT_ERRORS_KEPT } from '../../src/logger.ts'
import { INVITES_PAGE, listInvites } from '../../src/services/admin/directory.ts'
import { createInviteCodes } from '../../src/services/accounts/invites.ts'

const dir = mkdtempSync(join(tmpdir(), 'pds-admin-console-'))
const db = openDatabase(join(dir, 'account.sqlite'), 'account')
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

test('the audit log pages newest first and filters by subject', () => {
  const audit = new AuditLog(db)
  const operator = { kind: 'account' as const, did: 'did:plc:op', handle: 'op.test' }
  for (let i = 0; i < 7; i++) audit.record(i % 2 ? operator : ADMIN, `action-${i}`, { subject: i < 3 ? 'did:plc:a' : 'did:plc:b', detail: 'x'.repeat(900), ip: '192.0.2.7' })
  const first = audit.list({ limit: 3 })
  expect(first.entries.map((e) => e.action)).toEqual(['action-6', 'action-5', 'action-4'])
  expect(first.entries[1]).toMatchObject({ actor: 'did:plc:op', actorHandle: 'op.test', ip: '192.0.2.7' })
  expect(first.entries[0]!.actorHandle).toBeUndefined()
  expect(first.entries[0]!.detail).toHaveLength(500)
  const second = audit.list({ limit: 3, cursor: first.cursor })
  expect(second.entries.map((e) => e.action)).toEqual(['action-3', 'action-2', 'action-1'])
  const last = audit.list({ limit: 3, cursor: second.cursor })
  expect(last.entries.map((e) => e.action)).toEqual(['action-0'])
  expect(last.cursor).toBeUndefined()
  expect(audit.list({ limit: 10, subject: 'did:plc:a' }).entries.map((e) => e.action)).toEqual(['action-2', 'action-1', 'action-0'])
  // A cursor that is not ours is read as none, never as SQL.
  expect(audit.list({ limit: 2, cursor: "1 OR 1=1" }).entries.map((e) => e.action)).toEqual(['action-6', 'action-5'])
})

test('console sessions: a hash is stored, idle ones expire, an operator’s sessions end together', () => {
  let now = 1_000_000_000_000
  const sessions = new ConsoleSessions(db, () => now)
  const device = { ip: '192.0.2.1', userAgent: 'Test/1.0' }
  const a = sessions.start('did:plc:op', device)
  const b = sessions.start('did:plc:op', device)
  const admin = sessions.start('admin', device)
  expect(JSON.stringify(db.query('SELECT * FROM admin_session').all())).not.toContain(a.secret)
  expect(sessions.resume(a.secret, '192.0.2.1')?.actor).toBe('did:plc:op')
  expect(sessions.endAllOf('did:plc:op')).toBe(2)
  expect(sessions.resume(b.secret, '192.0.2.1')).toBeNull()
  now += CONSOLE_SESSION_IDLE_MS - 1000
  expect(sessions.resume(admin.secret, '192.0.2.1')?.actor).toBe('admin')
  now += CONSOLE_SESSION_IDLE_MS - 1000 // each visit pushes the end back
  expect(sessions.resume(admin.secret, '192.0.2.1')?.actor).toBe('admin')
  now += CONSOLE_SESSION_IDLE_MS + 1
  expect(sessions.resume(admin.secret, '192.0.2.1')).toBeNull()
})

test('the configuration summary shows no secret', () => {
  expect(maskUrl('smtps://mailer:hunter2@smtp.example.com:465/?token=abc&x=1')).toBe('smtps://***:***@smtp.example.com:465/?token=***&x=1')
  expect(maskUrl('not a url')).toBe('(hidden)')
  const config = buildConfig(testEnv(dir, 2583, { PDS_EMAIL_SMTP_URL: 'smtps://mailer:hunter2@smtp.example.com', PDS_EMAIL_FROM_ADDRESS: 'a@example.com', PDS_ADMIN_HANDLES: 'ops.test' }))
  const text = JSON.stringify(configSummary(config))
  for (const secret of [config.secrets.adminPassword, config.secrets.jwtSecret, config.secrets.plcRotationKeyHex, 'hunter2']) expect(text).not.toContain(secret)
  expect(text).toContain('ops.test')
})

test('the logger keeps the newest error lines, whatever its level, for itself and its children', () => {
  const lines: string[] = []
  const log = createLogger('silent', {}, (l) => {
    lines.push(l)
    return true
  })
  const child = log.child({ component: 'x' })
  log.info('not kept')
  for (let i = 0; i < RECENT_ERRORS_KEPT + 5; i++) child.error(`failure ${i}`)
  log.fatal('the end')
  const kept = log.recentErrors!()
  expect(kept).toHaveLength(RECENT_ERRORS_KEPT)
  expect(kept.at(-1)).toMatchObject({ level: 'fatal' })
  expect(kept.at(-2)!.line).toContain(`failure ${RECENT_ERRORS_KEPT + 4}`)
  expect(kept.at(-2)!.line).toContain('"component":"x"')
  expect(lines).toEqual([]) // silent still writes nothing
})

test('a listing page from the address bar is kept within 1 and the last page, whatever number it is', () => {
  createInviteCodes(db, 'pds.test', { forAccounts: ['admin'], codeCount: INVITES_PAGE + 1, useCount: 1 })
  const pageOf = (asked: number) => {
    const { page, pages, codes } = listInvites(db, asked)
    return { page, pages, shown: codes.length }
  }
  expect(pageOf(1)).toEqual({ page: 1, pages: 2, shown: INVITES_PAGE })
  expect(pageOf(2)).toEqual({ page: 2, pages: 2, shown: 1 })
  for (const asked of [3, 1e20, Infinity]) expect(pageOf(asked)).toEqual({ page: 2, pages: 2, shown: 1 })
  for (const asked of [0, -5, NaN, -Infinity]) expect(pageOf(asked)).toEqual({ page: 1, pages: 2, shown: INVITES_PAGE })
})
