// The account web app's sessions: the stored id is a hash of the secret, idle sessions expire, the
// password window for sensitive actions, and ending one / all / all but one.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { REAUTH_WINDOW_MS, WEB_SESSION_IDLE_MS, WebSessions } from '../../src/services/accounts/web-sessions.ts'

const dir = mkdtempSync(join(tmpdir(), 'pds-web-sessions-'))
const db = openDatabase(join(dir, 'account.sqlite'), 'account')
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

let now = 1_000_000_000_000
const sessions = new WebSessions(db, () => now)
const device = { ip: '192.0.2.1', userAgent: 'Test/1.0' }

test('a session is found by its secret only, and the table keeps a hash of it', () => {
  const { secret, session } = sessions.start('did:plc:a', device)
  expect(session.id).not.toBe(secret)
  expect(JSON.stringify(db.query('SELECT * FROM web_session').all())).not.toContain(secret)
  expect(sessions.resume(secret, device)?.did).toBe('did:plc:a')
  expect(sessions.resume(secret + 'x', device)).toBeNull()
})

test('sign-in rotates: a new secret, and the previous session ends', () => {
  const first = sessions.start('did:plc:b', device)
  const second = sessions.start('did:plc:b', device, first.secret)
  expect(second.secret).not.toBe(first.secret)
  expect(sessions.resume(first.secret, device)).toBeNull()
  expect(sessions.resume(second.secret, device)).not.toBeNull()
})

test('the password window closes after a while and reopens on re-authentication; idle sessions expire', () => {
  const { secret, session } = sessions.start('did:plc:c', device)
  expect(sessions.resume(secret, device)!.recentlyAuthenticated).toBe(true)
  now += REAUTH_WINDOW_MS + 1
  expect(sessions.resume(secret, device)!.recentlyAuthenticated).toBe(false)
  sessions.reauthenticated(session.id)
  expect(sessions.resume(secret, device)!.recentlyAuthenticated).toBe(true)
  // Each visit pushes the end back; a long absence ends it.
  now += WEB_SESSION_IDLE_MS - 1000
  expect(sessions.resume(secret, device)).not.toBeNull()
  now += WEB_SESSION_IDLE_MS + 1
  expect(sessions.resume(secret, device)).toBeNull()
})

test('end one (only the account’s own), all but one, all', () => {
  const a = sessions.start('did:plc:d', device)
  const b = sessions.start('did:plc:d', device)
  const c = sessions.start('did:plc:d', device)
  const other = sessions.start('did:plc:e', device)
  expect(sessions.end('did:plc:d', other.session.id)).toBe(false)
  expect(sessions.end('did:plc:d', a.session.id)).toBe(true)
  expect(sessions.endOthers('did:plc:d', b.session.id)).toBe(1)
  expect(sessions.list('did:plc:d').map((s) => s.id)).toEqual([b.session.id])
  expect(sessions.resume(c.secret, device)).toBeNull()
  expect(sessions.endAll('did:plc:d')).toBe(1)
  expect(sessions.list('did:plc:d')).toEqual([])
  expect(sessions.resume(other.secret, device)).not.toBeNull()
})
