// migrations/account/430_account_history.sql: the triggers record every change through the storage
// functions every path uses, and the migration backfills what an existing data directory already knows.
import { expect, test } from 'bun:test'
import type { Database } from 'bun:sqlite'
import { migrate, openDatabase } from '../../src/storage/sqlite.ts'
import * as actors from '../../src/storage/account/actors.ts'
import * as creds from '../../src/storage/account/credentials.ts'
import { OAuthStore } from '../../src/storage/oauth/store.ts'
import { accountsWithSignatures, listAccountHistory, signaturesOf } from '../../src/storage/account/account-history.ts'

const DID = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const OTHER = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'
const device = (ip: string) => ({ userAgent: 'test', ipAddress: ip, createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: '2026-01-01T00:00:00.000Z' })

function createAccount(db: Database, did: string, handle: string, email: string) {
  actors.insertActor(db, { did, handle, createdAt: '2026-01-01T00:00:00.000Z' })
  actors.insertAccount(db, { did, email, passwordScrypt: 'salt:hash' })
}

const events = (db: Database, did: string) => listAccountHistory(db, { did, limit: 100 }).reverse().map((r) => [r.event, r.handle ?? r.email ?? r.detail])

test('each change to an account is one history row, written with the change', () => {
  const db = openDatabase(':memory:', 'account')
  createAccount(db, DID, 'alice.test', 'Alice@Example.com')
  actors.setEmailConfirmedAt(db, DID, '2026-01-02T00:00:00.000Z')
  actors.setEmailConfirmedAt(db, DID, '2026-01-02T00:00:00.000Z') // unchanged: nothing recorded
  actors.updateHandle(db, DID, 'alice2.test')
  actors.updateHandle(db, DID, 'alice2.test')
  actors.updateEmail(db, DID, 'alice@new.example')
  creds.setPasswordScrypt(db, DID, 'salt:other')
  actors.setDeactivated(db, DID, '2026-01-03T00:00:00.000Z', null)
  actors.setDeactivated(db, DID, null, null)
  actors.setTakedownRef(db, DID, 'TAKEDOWN-7')
  actors.setTakedownRef(db, DID, null)
  expect(events(db, DID)).toEqual([
    ['accountCreated', 'alice.test'],
    ['emailConfirmed', 'alice@example.com'],
    ['handleUpdated', 'alice2.test'],
    ['emailUpdated', 'alice@new.example'],
    ['passwordUpdated', null],
    ['accountDeactivated', null],
    ['accountReactivated', null],
    ['accountTakendown', 'TAKEDOWN-7'],
    ['takedownReversed', 'TAKEDOWN-7'],
  ])
  expect(listAccountHistory(db, { did: DID, limit: 100 }).at(-1)!.email).toBe('alice@example.com')

  actors.deleteAccountRows(db, DID)
  const rows = listAccountHistory(db, { did: DID, limit: 100 })
  expect(rows[0]).toMatchObject({ event: 'accountDeleted', handle: 'alice2.test' })
  expect(rows.every((r) => r.email === null)).toBe(true)
})

test('session addresses (password sessions, account-app sessions, OAuth devices) and browsers; none once deleted', () => {
  const db = openDatabase(':memory:', 'account')
  createAccount(db, DID, 'alice.test', 'alice@evil.example')
  createAccount(db, OTHER, 'bob.test', 'bob@evil.example')
  creds.insertRefreshToken(db, { id: 'r1', did: DID, expiresAt: '2099-01-01T00:00:00.000Z', appPasswordName: null, device: device('203.0.113.7') })
  creds.insertRefreshToken(db, { id: 'r2', did: DID, expiresAt: '2099-01-01T00:00:00.000Z', appPasswordName: null }) // no address known
  const oauth = new OAuthStore(db)
  oauth.upsertDevice({ id: 'dev-1', sessionId: 's', userAgent: null, ipAddress: '198.51.100.2' })
  oauth.rememberAccount('dev-1', OTHER, true)
  oauth.upsertDevice({ id: 'dev-1', sessionId: 's', userAgent: null, ipAddress: '203.0.113.7' }) // the browser moved
  creds.deleteRefreshTokensByDid(db, DID) // sessions end; the addresses stay

  expect(signaturesOf(db, DID)).toEqual([
    { property: 'ip', value: '203.0.113.7' },
    { property: 'emailDomain', value: 'evil.example' },
  ])
  expect(signaturesOf(db, OTHER).map((s) => s.value).sort()).toEqual(['198.51.100.2', '203.0.113.7', 'dev-1', 'evil.example'])
  oauth.rememberAccount('dev-1', DID, false)
  oauth.forgetAccount('dev-1', DID) // signed out of the browser: it stays a signature
  expect(signaturesOf(db, DID)).toContainEqual({ property: 'device', value: 'dev-1' })
  expect(accountsWithSignatures(db, signaturesOf(db, DID), DID)).toEqual([
    { did: OTHER, property: 'device', value: 'dev-1' },
    { did: OTHER, property: 'emailDomain', value: 'evil.example' },
    { did: OTHER, property: 'ip', value: '203.0.113.7' },
  ])
  actors.deleteAccountRows(db, OTHER)
  expect(accountsWithSignatures(db, signaturesOf(db, DID), DID)).toEqual([])
})

test('an existing data directory: accounts, confirmations, current session addresses and browsers are backfilled', () => {
  const db = openDatabase(':memory:', 'account')
  // Back to the schema before 430, with data in it.
  for (const { name } of db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'account_%'").all()) db.exec(`DROP TRIGGER ${name}`)
  db.exec('DROP TABLE account_history; DROP TABLE account_ip; DROP TABLE account_browser')
  db.query("DELETE FROM pds_migration WHERE name LIKE '430%'").run()
  createAccount(db, DID, 'alice.test', 'alice@example.com')
  actors.setEmailConfirmedAt(db, DID, '2026-01-02T00:00:00.000Z')
  creds.insertRefreshToken(db, { id: 'r1', did: DID, expiresAt: '2099-01-01T00:00:00.000Z', appPasswordName: null, device: device('203.0.113.7') })
  db.query('INSERT INTO web_session (id, did, createdAt, lastSeenAt, authenticatedAt, expiresAt, userAgent, ipAddress) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('w1', DID, Date.parse('2026-01-05T00:00:00.000Z'), 0, 0, 0, null, '192.0.2.1')

  const oauth = new OAuthStore(db)
  oauth.upsertDevice({ id: 'dev-1', sessionId: 's', userAgent: null, ipAddress: '198.51.100.2' })
  oauth.rememberAccount('dev-1', DID, true)

  migrate(db, 'account')
  expect(listAccountHistory(db, { did: DID, limit: 10 }).reverse().map((r) => [r.event, r.at])).toEqual([
    ['accountCreated', '2026-01-01T00:00:00.000Z'],
    ['emailConfirmed', '2026-01-02T00:00:00.000Z'],
  ])
  expect(db.query('SELECT ip, firstAt FROM account_ip ORDER BY ip').all()).toEqual([
    { ip: '192.0.2.1', firstAt: '2026-01-05T00:00:00.000Z' },
    { ip: '198.51.100.2', firstAt: expect.any(String) },
    { ip: '203.0.113.7', firstAt: '2026-01-01T00:00:00.000Z' },
  ])
  expect(signaturesOf(db, DID)).toContainEqual({ property: 'device', value: 'dev-1' })
  // And from now on the triggers record.
  actors.updateHandle(db, DID, 'alice2.test')
  expect(listAccountHistory(db, { did: DID, limit: 1 })[0]!.event).toBe('handleUpdated')
})
