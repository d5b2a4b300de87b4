// `pds account …` and `pds invite …` run as processes against a live server whose data dir holds a pds.env.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { pds } from '../cli/cli-harness.ts'

let server: TestServer
let dataDir: string
beforeAll(async () => {
  server = await startTestServer({ PDS_INVITE_REQUIRED: 'true' })
  dataDir = server.dataDir
  writeEnvFile(join(dataDir, 'pds.env'), { ...testEnv(dataDir, server.port), PDS_INVITE_REQUIRED: 'true' })
})
afterAll(() => server.close())

const cli = (...args: string[]) => pds([...args, '--data-dir', dataDir])
const login = (identifier: string, password: string) => new AtpAgent({ service: server.url }).login({ identifier, password })

describe('pds invite', () => {
  test('create prints codes with the requested uses', async () => {
    const one = await cli('invite', 'create', '--uses', '3')
    expect(one.code).toBe(0)
    const code = one.stdout.trim()
    expect(code).toMatch(/^localhost-[a-z2-7]{5}-[a-z2-7]{5}$/)
    const listed = server.services.accounts.listInviteCodes(undefined, 100).codes.find((c) => c.code === code)
    expect(listed?.available).toBe(3)

    const many = await cli('invite', 'create', '--count', '2', '--json')
    expect(many.json().codes).toHaveLength(2)
    const bad = await cli('invite', 'create', '--uses', '0')
    expect(bad.code).toBe(2)
  })
})

describe('pds account', () => {
  test('create generates and prints a password (spending an invite when required), or takes one', async () => {
    const res = await cli('account', 'create', 'alice@example.com', 'alice')
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('created alice.test')
    const password = res.stdout.match(/password: (\S+)/)?.[1]
    expect(password).toMatch(/^[a-z2-7]{5}(-[a-z2-7]{5}){3}$/)
    expect((await login('alice.test', password!)).data.email).toBe('alice@example.com')

    const given = await cli('account', 'create', 'bob@example.com', 'bob.test', '--password', 'bob-secret-pw', '--json')
    expect(given.code).toBe(0)
    expect(given.json()).toMatchObject({ handle: 'bob.test', email: 'bob@example.com' })
    expect(given.json().password).toBeUndefined()
    expect((await login('bob@example.com', 'bob-secret-pw')).data.handle).toBe('bob.test')

    const dup = await cli('account', 'create', 'other@example.com', 'alice')
    expect(dup.code).toBe(1)
    expect(dup.stderr).toContain('Handle already taken')
  })

  test('list shows handle, email, DID and status', async () => {
    const bob = await login('bob.test', 'bob-secret-pw')
    const agent = new AtpAgent({ service: server.url })
    await agent.resumeSession({ ...bob.data, active: true })
    await agent.com.atproto.server.deactivateAccount({})

    const json = await cli('account', 'list', '--json')
    expect(json.code).toBe(0)
    const accounts = json.json().accounts as Array<{ handle: string; email: string; did: string; status: string }>
    expect(accounts.map((a) => [a.handle, a.email, a.status])).toEqual([
      ['alice.test', 'alice@example.com', 'active'],
      ['bob.test', 'bob@example.com', 'deactivated'],
    ])
    expect(accounts[1]!.did).toBe(bob.data.did)

    const text = await cli('account', 'list')
    expect(text.stdout.split('\n')[0]).toMatch(/^HANDLE\s+EMAIL\s+DID\s+STATUS$/)
    expect(text.stdout).toContain(bob.data.did)
  })

  test('reset-password by handle or DID prints a new password that works; the old one stops working', async () => {
    const res = await cli('account', 'reset-password', 'alice.test')
    expect(res.code).toBe(0)
    const password = res.stdout.match(/new password for (did:\S+): (\S+)/)
    expect(password).not.toBeNull()
    const did = password![1]!
    expect((await login('alice.test', password![2]!)).data.did).toBe(did)

    const byDid = await cli('account', 'reset-password', did, '--json')
    const next = byDid.json() as { did: string; password: string }
    expect(next.did).toBe(did)
    expect((await login(did, next.password)).data.did).toBe(did)
    expect(await login(did, password![2]!).catch((e) => e.error)).toBe('AuthenticationRequired')

    const missing = await cli('account', 'reset-password', 'nobody.test')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no account with handle nobody.test')
  })

  test('a server that does not answer exits 69', async () => {
    const res = await cli('account', 'list', '--url', 'http://127.0.0.1:1')
    expect(res.code).toBe(69)
    expect(res.stderr).toContain('cannot reach the server')
  })
})
