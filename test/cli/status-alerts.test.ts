// Alerts everywhere the operator looks: a data directory with an old backup (its manifest says it
// finished three days ago, with backups due hourly) and a "full disk" threshold of 0% shows degraded in
// `pds status --json` (the compiled binary) with the server stopped and running, and on /xrpc/_health
// and /health. A "slow disk" threshold of 0 ms: once the running server has made enough syncs, any
// real sync is slower than that.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../../src/config/config.ts'
import { formatEnvFile } from '../../src/config/env.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { pds } from './cli-harness.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-alerts-'))
let env: Record<string, string>
let server: RunningServer | undefined
const finishedAt = new Date(Date.now() - 72 * 3_600_000).toISOString()

beforeAll(async () => {
  env = testEnv(dataDir, await freePort(), { PDS_BACKUP_INTERVAL: '1h', PDS_ALERT_DISK_USED_PERCENT: '0', PDS_ALERT_DISK_SYNC_MS: '0' })
  writeFileSync(join(dataDir, 'pds.env'), formatEnvFile(env), { mode: 0o600 })
  const backup = join(dataDir, 'backups', 'pds-backup-20260101T000000Z')
  mkdirSync(backup, { recursive: true })
  const manifest = { format: 'pds-backup/1', pdsVersion: '0.0.0', hostname: 'localhost', startedAt: finishedAt, finishedAt, accounts: [], blobs: 'included', files: [] }
  writeFileSync(join(backup, 'manifest.json'), JSON.stringify(manifest))
})
afterAll(async () => {
  await server?.stop({ fast: true })
  rmSync(dataDir, { recursive: true, force: true })
})

type Alert = { id: string; message: string }

describe('alerts', () => {
  test('server stopped: `pds status --json` lists the stale backup and the full disk', async () => {
    const res = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(res.code).toBe(69)
    const alerts: Alert[] = res.json().alerts
    expect(alerts.map((a) => a.id)).toEqual(['backup-stale', 'disk-full'])
    expect(alerts[0]!.message).toContain(finishedAt)
    expect(alerts[1]!.message).toContain('alert above 0%')
  })

  test('server running: degraded on /xrpc/_health, /health and in `pds status`', async () => {
    server = await startServer(buildConfig(env), { hostname: '127.0.0.1', shutdownGraceMs: 500 })
    for (const path of ['/xrpc/_health', '/health']) {
      const res = await fetch(`${server.url}${path}`)
      expect(res.status).toBe(200)
      const body = (await res.json()) as { version: string; status: string; alerts: Alert[] }
      expect(body.status).toBe('degraded')
      expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
      expect(body.alerts.map((a) => a.id)).toEqual(['backup-stale', 'disk-full'])
    }
    const json = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(json.code).toBe(0)
    expect(json.json().server).toMatchObject({ reachable: true, healthy: true })
    expect(json.json().alerts.map((a: Alert) => a.id)).toEqual(['backup-stale', 'disk-full'])
    const text = await pds(['status', '--data-dir', dataDir])
    expect(text.stdout).toMatch(/^server:\s+up, DEGRADED \(see alerts\) at /m)
    expect(text.stdout).toMatch(/^alerts:\s+BACKUP-STALE: the last backup finished 72h ago/m)
    expect(text.stdout).toMatch(/^\s+DISK-FULL: the data disk is [\d.]+% full/m)
  })

  test("server running: its writes' syncs slower than the threshold raise disk-slow", async () => {
    const xrpc = async (nsid: string, body: unknown, token?: string) => {
      const res = await fetch(`${server!.url}/xrpc/${nsid}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      })
      expect(res.status).toBe(200)
      return (await res.json()) as { did: string; accessJwt: string }
    }
    const alice = await xrpc('com.atproto.server.createAccount', { handle: 'alice.test', email: 'alice@example.com', password: 'alice-pass' })
    // Each write syncs its repo's WAL, then the firehose's: 16 writes make more than enough syncs.
    for (let i = 0; i < 16; i++) {
      await xrpc('com.atproto.repo.createRecord', { repo: alice.did, collection: 'app.bsky.feed.post', record: { text: `post ${i}`, createdAt: new Date().toISOString() } }, alice.accessJwt)
    }
    const body = (await (await fetch(`${server!.url}/xrpc/_health`)).json()) as { alerts: Alert[] }
    expect(body.alerts.map((a) => a.id)).toEqual(['backup-stale', 'disk-full', 'disk-slow'])
    expect(body.alerts[2]!.message).toMatch(/^the data disk takes [\d.]+ ms to make a write durable \(median of the last \d+ syncs, slowest [\d.]+ ms; alert above 0 ms\): every write waits for one$/)
    const text = await pds(['status', '--data-dir', dataDir])
    expect(text.stdout).toMatch(/^\s+DISK-SLOW: the data disk takes [\d.]+ ms to make a write durable/m)
  })
})
