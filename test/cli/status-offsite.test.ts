// `pds status` and the backup-stale alert know the off-site backups: a server configured with only an
// S3 bucket (s3rver on loopback), an upload by the compiled binary, then the status line and JSON; an
// upload three days old is flagged stale with the server stopped (the CLI's view) and running (/xrpc/_health).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from '../../src/config/config.ts'
import { formatEnvFile } from '../../src/config/env.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { readLastOffsiteUpload, writeLastOffsiteUpload } from '../../src/services/backup/offsite/last-upload.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts'
import { pds } from './cli-harness.ts'

const BUCKET = 'pds-status'
const URL_ = `s3://${BUCKET}/only-offsite`
const dataDir = mkdtempSync(join(tmpdir(), 'pds-status-offsite-'))
let s3: TestS3 | undefined
let env: Record<string, string>
let server: RunningServer | undefined

beforeAll(async () => {
  const bucket = (s3 = await startS3rver([BUCKET]))
  // Only the bucket: no PDS_BACKUP_DIRECTORY or _INTERVAL, so local copies are staging (daily, the default).
  env = testEnv(dataDir, await freePort(), { ...bucket.env(), PDS_BACKUP_S3_URL: URL_, PDS_BACKUP_AGE_PASSPHRASE: 'correct horse battery staple 7' })
  writeFileSync(join(dataDir, 'pds.env'), formatEnvFile(env), { mode: 0o600 })
  server = await startServer(buildConfig(env), { hostname: '127.0.0.1', shutdownGraceMs: 500 })
}, 30_000)
afterAll(async () => {
  await server?.stop({ fast: true })
  await s3?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

type Alert = { id: string; message: string }

describe('pds status with off-site backups', () => {
  test('before any upload: the bucket is named, no off-site backup yet', async () => {
    const res = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(res.code).toBe(0)
    expect(res.json()).toMatchObject({ offsiteBackupUrl: URL_, lastOffsiteBackup: null, lastBackup: null })
    const text = await pds(['status', '--data-dir', dataDir])
    expect(text.stdout).toContain(`off-site:  none yet to ${URL_} (pds backup create --to ${URL_})`)
  })

  test('after an upload: its time, prefix and name, from the local note (the bucket is not asked)', async () => {
    const upload = await pds(['backup', 'create', '--data-dir', dataDir, '--to', URL_, '--json'])
    expect(upload.stderr).toBe('')
    expect(upload.code).toBe(0)
    const name: string = upload.json().name
    await s3!.stop() // status stays offline-cheap: it must not need the bucket
    s3 = undefined
    const res = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(res.code).toBe(0)
    const off = res.json().lastOffsiteBackup
    expect(off).toMatchObject({ name, url: URL_, ageHours: 0 })
    expect(Date.parse(off.finishedAt)).toBeLessThanOrEqual(Date.parse(off.uploadedAt))
    expect(Date.now() - Date.parse(off.uploadedAt)).toBeLessThan(60_000)
    expect(res.json().lastBackup).toBeNull() // the staged local copy is gone
    expect(res.json().alerts.map((a: Alert) => a.id)).not.toContain('backup-stale')
    const text = await pds(['status', '--data-dir', dataDir])
    expect(text.stdout).toMatch(new RegExp(`^off-site:\\s+\\d{4}-\\S+ \\(0h ago\\) ${URL_} ${name}$`, 'm'))
  }, 60_000)

  test('an off-site backup older than two intervals is stale, with the server stopped and running', async () => {
    await server?.stop({ fast: true })
    server = undefined
    const last = readLastOffsiteUpload(dataDir)!
    const finishedAt = new Date(Date.now() - 72 * 3_600_000).toISOString()
    writeLastOffsiteUpload(dataDir, { ...last, finishedAt, uploadedAt: finishedAt })

    const stopped = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(stopped.code).toBe(69)
    const alert = stopped.json().alerts.find((a: Alert) => a.id === 'backup-stale')
    expect(alert?.message).toBe(`the last off-site backup finished 72h ago (${finishedAt}); backups are due every 24h`)

    server = await startServer(buildConfig(env), { hostname: '127.0.0.1', shutdownGraceMs: 500 })
    const health = (await (await fetch(`${server.url}/xrpc/_health`)).json()) as { status: string; alerts: Alert[] }
    expect(health.status).toBe('degraded')
    expect(health.alerts.find((a) => a.id === 'backup-stale')?.message).toContain('the last off-site backup finished 72h ago')

    // An upload to another prefix is not the scheduled one.
    writeLastOffsiteUpload(dataDir, { ...last, url: 's3://elsewhere/x', finishedAt: new Date().toISOString() })
    const other = await pds(['status', '--data-dir', dataDir, '--json'])
    expect(other.json().lastOffsiteBackup.url).toBe('s3://elsewhere/x')
  }, 60_000)
})
