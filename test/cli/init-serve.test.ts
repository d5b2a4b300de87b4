import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseEnvFile } from '../../src/config/env.ts'
import { freePort } from '../helpers/server.ts'

const CLI = resolve(import.meta.dir, '../../cli/main.ts')
const work = mkdtempSync(join(tmpdir(), 'pds-cli-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function pds(args: string[], env: Record<string, string> = {}) {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_')))
  return Bun.spawnSync([process.execPath, CLI, ...args], { cwd: work, env: { ...cleanEnv, ...env } })
}

async function waitHealthy(url: string, proc: Bun.Subprocess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/xrpc/_health`)).ok) return
    } catch {}
    await Bun.sleep(25)
  }
  throw new Error('server never became healthy')
}

describe('pds init and pds serve', () => {
  const dataDir = join(work, 'x')

  test('init --yes writes a valid pds.env with mode 0600', () => {
    const res = pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', dataDir, '--email', 'ops@example.com'])
    expect(res.exitCode).toBe(0)
    expect(res.stdout.toString()).toContain('Next steps')
    const envPath = join(dataDir, 'pds.env')
    expect(statSync(envPath).mode & 0o777).toBe(0o600)
    const env = parseEnvFile(readFileSync(envPath, 'utf8'))
    expect(env.PDS_HOSTNAME).toBe('pds.example.com')
    expect(env.PDS_DATA_DIRECTORY).toBe(dataDir)
    expect(env.PDS_JWT_SECRET).toMatch(/^[0-9a-f]{32}$/)
    expect(env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX).toMatch(/^[0-9a-f]{64}$/)
    expect(env.PDS_CONTACT_EMAIL_ADDRESS).toBe('ops@example.com')
    expect(env.PDS_METRICS_ENABLED).toBeUndefined()
  })

  test('init --metrics turns /metrics on behind a generated bearer token', () => {
    const dir = join(dataDir, 'with-metrics')
    expect(pds(['init', '--yes', '--metrics', '--hostname', 'pds.example.com', '--data-dir', dir]).exitCode).toBe(0)
    const env = parseEnvFile(readFileSync(join(dir, 'pds.env'), 'utf8'))
    expect(env.PDS_METRICS_ENABLED).toBe('true')
    expect(env.PDS_METRICS_TOKEN).toMatch(/^[0-9a-f]{48}$/)
  })

  test('init --discord-bot-token and --signal-rpc-url turn those notification channels on', () => {
    const dir = join(dataDir, 'with-channels')
    const token = 'MTA5ODc2NTQzMjEwOTg3NjU0.GxYzAb.abcdefghijklmnopqrstuvwxyz012345'
    const args = ['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', dir, '--discord-bot-token', token]
    expect(pds([...args, '--signal-rpc-url', 'http://127.0.0.1:8080/api/v1/rpc']).exitCode).toBe(0)
    const env = parseEnvFile(readFileSync(join(dir, 'pds.env'), 'utf8'))
    expect(env.PDS_DISCORD_BOT_TOKEN).toBe(token)
    expect(env.PDS_SIGNAL_RPC_URL).toBe('http://127.0.0.1:8080/api/v1/rpc')
    const bad = pds([...args, '--force', '--signal-rpc-url', 'not a url'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr.toString()).toContain('PDS_SIGNAL_RPC_URL')
  })

  test('init refuses to overwrite without --force', () => {
    const before = readFileSync(join(dataDir, 'pds.env'), 'utf8')
    const res = pds(['init', '--yes', '--hostname', 'other.example.com', '--data-dir', dataDir])
    expect(res.exitCode).not.toBe(0)
    expect(res.stderr.toString()).toContain('--force')
    expect(readFileSync(join(dataDir, 'pds.env'), 'utf8')).toBe(before)
    expect(pds(['init', '--yes', '--hostname', 'other.example.com', '--data-dir', dataDir, '--force']).exitCode).toBe(0)
  })

  test('serve starts from the written pds.env and answers describeServer', async () => {
    const port = await freePort()
    const proc = Bun.spawn([process.execPath, CLI, 'serve', '--data-dir', dataDir, '--port', String(port)], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error' },
      stdout: 'ignore',
      stderr: 'pipe',
    })
    try {
      const url = `http://127.0.0.1:${port}`
      await waitHealthy(url, proc)
      const body = (await (await fetch(`${url}/xrpc/com.atproto.server.describeServer`)).json()) as { did: string; availableUserDomains: string[] }
      expect(body.did).toBe('did:web:other.example.com')
      expect(body.availableUserDomains).toEqual(['.other.example.com'])
    } finally {
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(0)
    }
  })

  test('a bad value stops startup with one clear line naming the variable', () => {
    const badDir = join(work, 'bad')
    pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', badDir])
    const envPath = join(badDir, 'pds.env')
    writeFileSync(envPath, readFileSync(envPath, 'utf8') + 'PDS_SERVICE_HANDLE_DOMAINS=example.com\n')
    const res = pds(['serve', '--data-dir', badDir])
    expect(res.exitCode).toBe(78)
    expect(res.stderr.toString().trim()).toMatch(/^pds: configuration error: PDS_SERVICE_HANDLE_DOMAINS: each handle domain must start with a dot/)
  })

  test('--help lists the commands and --version prints the version', () => {
    const help = pds(['--help']).stdout.toString()
    for (const cmd of ['init', 'serve']) expect(help).toContain(cmd)
    expect(pds(['--version']).stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
