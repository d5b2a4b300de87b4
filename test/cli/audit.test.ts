// `pds audit` on the compiled binary against a live server: `pds account reset-2fa` is recorded (who, what,
// whom, from where) and printed newest first, as a table or JSON, as many as --limit asks.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { pds } from './cli-harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  writeEnvFile(join(server.dataDir, 'pds.env'), testEnv(server.dataDir, server.port))
}, 300_000)
afterAll(() => server.close())

const cli = (...args: string[]) => pds([...args, '--data-dir', server.dataDir])

test('reset-2fa is audited and pds audit prints it', async () => {
  const agent = new AtpAgent({ service: server.url })
  const quinn = await agent.createAccount({ email: 'quinn@example.com', handle: 'quinn.test', password: 'quinn-password' })
  const rita = await agent.createAccount({ email: 'rita@example.com', handle: 'rita.test', password: 'rita-password' })

  expect((await cli('audit')).stdout).toContain('no audit entries')
  expect((await cli('account', 'reset-2fa', 'quinn.test')).code).toBe(0)
  expect((await cli('account', 'reset-2fa', 'rita.test')).code).toBe(0)

  const all = await cli('audit', '--json')
  expect(all.code).toBe(0)
  const entries = all.json().entries
  expect(entries).toHaveLength(2)
  expect(entries[0]).toMatchObject({ actor: 'admin', action: 'reset-2fa', subject: rita.data.did, ip: '127.0.0.1' })
  expect(entries[1]).toMatchObject({ actor: 'admin', action: 'reset-2fa', subject: quinn.data.did })
  expect(Date.parse(entries[0].at)).toBeGreaterThan(Date.now() - 60_000)

  const one = await cli('audit', '--limit', '1')
  expect(one.code).toBe(0)
  const lines = one.stdout.trim().split('\n')
  expect(lines[0]).toMatch(/^WHEN\s+WHO\s+ACTION\s+SUBJECT\s+DETAIL\s+FROM/)
  expect(lines).toHaveLength(2)
  expect(lines[1]).toContain(rita.data.did)
  expect(lines[1]).toContain('reset-2fa')

  const bad = await cli('audit', '--limit', 'many')
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('--limit must be a whole number')
}, 300_000)

test('the audit endpoint wants the admin password', async () => {
  expect((await fetch(`${server.url}/_admin/audit`)).status).toBe(401)
  const wrong = await fetch(`${server.url}/_admin/audit`, { headers: { authorization: 'Basic ' + Buffer.from('admin:nope').toString('base64') } })
  expect(wrong.status).toBe(401)
  expect(await wrong.json()).toEqual({ error: 'AuthenticationRequired', message: 'Admin credentials required' })
  const tooMany = await fetch(`${server.url}/_admin/audit?limit=501`, { headers: { authorization: server.adminAuth } })
  expect(tooMany.status).toBe(400)
})
