// `pds status` against a running server with accounts, and with the server stopped.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEnvFile } from '../../src/config/env.ts'
import { testEnv } from '../helpers/server.ts'
import { startAccountHarness, type AccountHarness } from '../e2e/account-harness.ts'
import { pds } from './cli-harness.ts'
import { caddyfile, systemdUnit } from '../../cli/commands/install-service.ts'

let h: AccountHarness
const work = mkdtempSync(join(tmpdir(), 'pds-status-'))

beforeAll(async () => {
  h = await startAccountHarness()
  const env = { PDS_DID_PLC_URL: h.plc.url, PDS_EMAIL_SMTP_URL: h.smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost' }
  writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, env)), { mode: 0o600 })
  const alice = await h.signUp('alice')
  await h.signUp('bob')
  for (let i = 0; i < 5; i++) await alice.agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() })
})
afterAll(async () => {
  await h?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('pds status', () => {
  test('--json: server up, accounts counted, disk use per account, no backup yet', async () => {
    const res = await pds(['status', '--data-dir', h.server.dataDir, '--json'])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    const s = res.json()
    expect(s.server).toMatchObject({ reachable: true, healthy: true })
    expect(s.accounts).toMatchObject({ total: 2, active: 2, deactivated: 0, takendown: 0 })
    expect(s.disk.top.length).toBe(2)
    expect(s.disk.top[0].repoBytes).toBeGreaterThan(0)
    expect(s.disk.reposBytes).toBeGreaterThan(0)
    expect(s.lastBackup).toBeNull()
  })

  test('human output names the last backup', async () => {
    expect((await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--quiet'])).code).toBe(0)
    const res = await pds(['status', '--data-dir', h.server.dataDir])
    expect(res.stdout).toMatch(/^server:\s+up at /m)
    expect(res.stdout).toMatch(/^accounts:\s+2 \(2 active/m)
    expect(res.stdout).toMatch(/^backup:\s+\d{4}-.*pds-backup-/m)
  })

  test('exit 69 when nothing answers on the port', async () => {
    const res = await pds(['status', '--data-dir', h.server.dataDir, '--url', 'http://127.0.0.1:1', '--json'])
    expect(res.code).toBe(69)
    expect(res.json().server.reachable).toBe(false)
    expect(res.json().disk.top.length).toBe(2) // read from the data directory
  })
})

describe('pds install-service', () => {
  test('writes a hardened unit and a Caddyfile asking /tls-check, refuses to overwrite', async () => {
    const unit = join(work, 'pds.service')
    const caddy = join(work, 'Caddyfile')
    const args = ['install-service', '--data-dir', h.server.dataDir, '--unit-path', unit, '--caddyfile', caddy, '--binary', '/usr/local/bin/pds']
    const res = await pds([...args, '--json'])
    expect(res.code).toBe(0)
    const text = readFileSync(unit, 'utf8')
    for (const line of ['ProtectSystem=strict', `ReadWritePaths=${h.server.dataDir}`, 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'User=pds', `ExecStart=/usr/local/bin/pds serve --data-dir ${h.server.dataDir}`]) {
      expect(text).toContain(line)
    }
    expect(readFileSync(caddy, 'utf8')).toContain(`ask http://127.0.0.1:${h.server.port}/tls-check`)
    expect(res.json().nextSteps.join('\n')).toContain('systemctl enable --now pds.service')
    expect((await pds(args)).code).toBe(3)
  })

  test('the unit lists writable folders outside the data directory; the Caddyfile covers handle subdomains', () => {
    const o = { user: 'pds', binary: '/b/pds', dataDirectory: '/pds', extraWritablePaths: ['/pds/backups', '/srv/backups'], hostname: 'pds.example.com', handleDomains: ['.pds.example.com'], port: 3000 }
    expect(systemdUnit(o)).toContain('ReadWritePaths=/pds /srv/backups\n')
    expect(caddyfile(o)).toContain('pds.example.com, *.pds.example.com {')
  })
})
