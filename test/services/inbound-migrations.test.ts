// The move-here wizard's state (src/services/migration/inbound.ts): kept in account.sqlite, so a restart
// finds each move; one that was running or waiting with its in-memory password then asks for it again.
// Bad input is refused before anything is stored.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { InboundMigrations } from '../../src/services/migration/inbound.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

const db = () => server.services.accounts.ctx.manager.db
const fresh = (devMode: boolean) =>
  new InboundMigrations(db(), { selfUrl: server.url, devMode, log: server.services.log, adminPassword: 'x', plcUrl: server.config.identity.plcUrl })

test('an unreachable old server: the move stops with the reason and keeps what was typed (not the password)', async () => {
  const moves = server.services.migrations
  const secret = InboundMigrations.newSecret()
  moves.start(secret, { fromUrl: 'localhost:9', identifier: '@alice.test', password: 'pw' })
  expect(moves.get(secret)).toMatchObject({ state: 'running', fromUrl: 'https://localhost:9', identifier: 'alice.test' })
  await moves.settled(secret)
  const view = moves.get(secret)!
  expect(view.state).toBe('failed')
  expect(view.error).toContain('cannot reach https://localhost:9')
  const row = db().query('SELECT * FROM inbound_migration').all() as Array<Record<string, unknown>>
  expect(JSON.stringify(row)).not.toContain('"pw"')
  moves.forget(secret)
  expect(moves.get(secret)).toBeNull()
})

test('after a restart, a move that was running or waiting for the PLC code asks for the password again', async () => {
  const secret = InboundMigrations.newSecret()
  const before = fresh(true)
  before.start(secret, { fromUrl: 'http://localhost:9', identifier: 'alice.test', password: 'pw' })
  await before.settled(secret)
  db().query("UPDATE inbound_migration SET state = 'needs-plc-token'").run()
  expect(before.get(secret)!.state).toBe('needs-plc-token') // the password is still in this process
  const after = fresh(true)
  expect(after.get(secret)!.state).toBe('needs-password')
  expect(() => after.finish(secret, 'ABCDE-23456')).toThrow('This move needs your password again first.')
  db().query("UPDATE inbound_migration SET state = 'running'").run()
  expect(after.get(secret)!.state).toBe('needs-password')
})

test('bad input is refused and nothing is stored', () => {
  const moves = fresh(false)
  const secret = InboundMigrations.newSecret()
  expect(() => moves.start(secret, { fromUrl: 'http://old.example', identifier: 'a', password: 'pw' })).toThrow('The old server must be reached over https.')
  expect(() => moves.start(secret, { fromUrl: 'https://', identifier: 'a', password: 'pw' })).toThrow('Enter the address of your old server')
  expect(() => moves.start(secret, { fromUrl: 'https://old.example', identifier: ' ', password: 'pw' })).toThrow('Enter your handle')
  expect(() => moves.start(secret, { fromUrl: 'https://old.example', identifier: 'a', password: '' })).toThrow('Enter your password')
  expect(moves.get(secret)).toBeNull()
})

test('outside dev mode the old server must be public: a loopback address is never called', async () => {
  const moves = fresh(false)
  const secret = InboundMigrations.newSecret()
  moves.start(secret, { fromUrl: `https://127.0.0.1:${server.port}`, identifier: 'alice.test', password: 'pw' })
  await moves.settled(secret)
  expect(moves.get(secret)).toMatchObject({ state: 'failed', error: expect.stringContaining('private address') })
})
