// `pds backup ...` run as a process against a live server's data directory.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEnvFile } from '../../src/config/env.ts'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { makeDataDir } from './backup-fixture.ts'
import { pds } from './cli-harness.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-backup-cli-'))
let server: TestServer
let backupPath = ''

beforeAll(async () => {
  server = await startTestServer()
  writeFileSync(join(server.dataDir, 'pds.env'), formatEnvFile(testEnv(server.dataDir, server.port)), { mode: 0o600 })
  makeDataDir(server.dataDir, 2)
})
afterAll(async () => {
  await server.close()
  rmSync(work, { recursive: true, force: true })
})

describe('pds backup', () => {
  test('create --json while the server runs', async () => {
    const res = await pds(['backup', 'create', '--data-dir', server.dataDir, '--json'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const out = res.json()
    expect(out).toMatchObject({ ok: true, accounts: 2, databases: 4, blobs: 2 }) // account, sequencer, did_cache, moderation
    expect(out.path.startsWith(join(server.dataDir, 'backups'))).toBe(true)
    backupPath = out.path
  })

  test('list shows it; human output is a table', async () => {
    const json = await pds(['backup', 'list', '--data-dir', server.dataDir, '--json'])
    expect(json.code).toBe(0)
    expect(json.json().backups.map((b: { path: string }) => b.path)).toEqual([backupPath])
    const human = await pds(['backup', 'list', '--data-dir', server.dataDir])
    expect(human.stdout).toMatch(/^NAME\s+FINISHED\s+ACCOUNTS\s+SIZE$/m)
  })

  test('verify by name exits 0, a tampered copy exits 1', async () => {
    const name = backupPath.split('/').pop()!
    const ok = await pds(['backup', 'verify', name, '--data-dir', server.dataDir])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^OK /)
    expect(ok.stdout).toContain('2 repos')
    const copy = join(work, 'tampered')
    await Bun.$`cp -r ${backupPath} ${copy}`.quiet()
    writeFileSync(join(copy, 'pds.env'), 'changed')
    const bad = await pds(['backup', 'verify', copy, '--json'])
    expect(bad.code).toBe(1)
    expect(bad.json()).toMatchObject({ ok: false, problems: [{ path: 'pds.env' }] })
  })

  test('verify of a folder that is not a backup is a usage error', async () => {
    const res = await pds(['backup', 'verify', work])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('not a backup')
  })

  test('restore refuses while the server answers on its port', async () => {
    const res = await pds(['backup', 'restore', backupPath, '--data-dir', server.dataDir, '--force', '--yes'])
    expect(res.code).toBe(3)
    expect(res.stderr).toContain('server is running')
  })

  test('restore into a fresh directory, refuse to overwrite, then --force', async () => {
    const target = join(work, 'fresh')
    // The backup's pds.env names the live server's port: give the fresh one a free port instead.
    const env = { PDS_PORT: '1' }
    const first = await pds(['backup', 'restore', backupPath, '--data-dir', target, '--json'], { env })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.json()).toMatchObject({ ok: true, accounts: 2, envFile: 'restored' })
    expect(existsSync(join(target, 'account.sqlite'))).toBe(true)
    const again = await pds(['backup', 'restore', backupPath, '--data-dir', target], { env })
    expect(again.code).toBe(3)
    expect(again.stderr).toContain('--force')
    mkdirSync(join(target, 'actors', 'zz', 'did:plc:stray'), { recursive: true })
    writeFileSync(join(target, 'actors', 'zz', 'did:plc:stray', 'store.sqlite'), 'x')
    const forced = await pds(['backup', 'restore', backupPath, '--data-dir', target, '--force', '--yes'], { env })
    expect(forced.code).toBe(0)
    expect(existsSync(join(target, 'actors', 'zz', 'did:plc:stray'))).toBe(false)
    const verify = await pds(['backup', 'create', '--data-dir', target, '--to', join(work, 'second'), '--json'], { env })
    expect(verify.code).toBe(0)
    expect(verify.json().accounts).toBe(2)
  })

  test('no configuration is a config error (78)', async () => {
    const res = await pds(['backup', 'create', '--data-dir', join(work, 'nothing-here')])
    expect(res.code).toBe(78)
    expect(res.stderr).toContain('pds init')
  })
})
