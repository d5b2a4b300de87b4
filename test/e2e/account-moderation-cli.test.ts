// `pds account takedown|untakedown|delete` run as processes against a live server, as an operator would.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { pds } from '../cli/cli-harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  writeEnvFile(join(server.dataDir, 'pds.env'), testEnv(server.dataDir, server.port))
})
afterAll(() => server.close())

const cli = (...args: string[]) => pds([...args, '--data-dir', server.dataDir])

describe('pds account moderation', () => {
  test('takedown blocks login and untakedown restores it', async () => {
    expect((await cli('account', 'create', 'carol@example.com', 'carol', '--password', 'carol-pw-12345')).code).toBe(0)
    const down = await cli('account', 'takedown', 'carol.test', '--json')
    expect(down.code).toBe(0)
    expect(down.json().takedown.applied).toBe(true)
    await expect(new AtpAgent({ service: server.url }).login({ identifier: 'carol.test', password: 'carol-pw-12345' })).rejects.toThrow()
    const up = await cli('account', 'untakedown', down.json().did)
    expect(up.code).toBe(0)
    expect(up.stdout).toContain('active')
    const agent = new AtpAgent({ service: server.url })
    await agent.login({ identifier: 'carol.test', password: 'carol-pw-12345' })
    expect(agent.session?.did).toBe(down.json().did)
  })

  test('delete refuses without --yes when not interactive, then deletes every trace', async () => {
    expect((await cli('account', 'create', 'dave@example.com', 'dave', '--password', 'dave-pw-123456')).code).toBe(0)
    const refused = await cli('account', 'delete', 'dave.test')
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('--yes')
    const deleted = await cli('account', 'delete', 'dave.test', '--yes', '--json')
    expect(deleted.code).toBe(0)
    const did = deleted.json().did
    expect(did).toStartWith('did:plc:')
    expect(server.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
    await expect(new AtpAgent({ service: server.url }).login({ identifier: 'dave.test', password: 'dave-pw-123456' })).rejects.toThrow()
  })
})
