// `pds doctor` machine checks (DNS, TLS front, wildcard, PLC documents, relays, SMTP, disk,
// permissions), pass and fail, on loopback only: resolver and fetch are injected.
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runDoctorChecks, type DoctorCheck } from '../../cli/commands/doctor.ts'
import { realNetworkDeps, type NetworkDeps } from '../../cli/lib/network-checks.ts'
import { formatEnvFile } from '../../src/config/env.ts'
import { testEnv } from '../helpers/server.ts'
import { FixtureActor } from './backup-fixture.ts'
import { pds } from './cli-harness.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-doctor-'))
const HOST = 'pds.example.test'
let plcKeyOverride: string | null = null
let actor: FixtureActor

const front = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req) => (new URL(req.url).pathname === '/xrpc/_health' ? Response.json({ version: '1' }) : new Response('no', { status: 404 })) })
const relay = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ status: 'ok' }) })
const plc = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (req) =>
    Response.json({
      id: decodeURIComponent(new URL(req.url).pathname.slice(1)),
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: `https://${HOST}` }],
      verificationMethod: [{ id: '#atproto', type: 'Multikey', publicKeyMultibase: plcKeyOverride ?? actor.key.publicKeyMultibase() }],
    }),
})
const smtp = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { open: (s) => void s.write('220 fake ESMTP ready\r\n'), data() {} } })

const dataDir = join(work, 'data')
mkdirSync(dataDir)
writeFileSync(
  join(dataDir, 'pds.env'),
  formatEnvFile({
    ...testEnv(dataDir, 2583),
    PDS_HOSTNAME: HOST,
    PDS_DEV_MODE: 'false',
    PDS_DID_PLC_URL: `http://127.0.0.1:${plc.port}`,
    PDS_CRAWLERS: `http://127.0.0.1:${relay.port}`,
    PDS_EMAIL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    PDS_EMAIL_FROM_ADDRESS: 'noreply@example.test',
  }),
  { mode: 0o600 },
)
actor = new FixtureActor(dataDir, 'did:plc:doctoraaaaaaaaaaaaaaaaaa')

afterAll(() => {
  for (const server of [front, relay, plc]) server.stop(true)
  smtp.stop(true)
  rmSync(work, { recursive: true, force: true })
})

function deps(overrides: Partial<NetworkDeps> = {}): NetworkDeps {
  return {
    resolve: async (name) => (name === HOST || name.endsWith(`.${HOST}`) ? ['127.0.0.1'] : []),
    // https://<hostname>/... goes to the loopback front; everything else is already loopback.
    fetch: (url, init) => fetch(url.startsWith(`https://${HOST}/`) ? url.replace(`https://${HOST}`, `http://127.0.0.1:${front.port}`) : url, init),
    greeting: realNetworkDeps.greeting,
    freeBytes: () => 50 * 1024 ** 3,
    // The real measurement: fdatasync in the test's data directory.
    diskSyncs: realNetworkDeps.diskSyncs,
    ...overrides,
  }
}

const byName = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.name, c]))

describe('pds doctor network checks', () => {
  test('everything right: every check passes', async () => {
    const checks = byName(await runDoctorChecks({ dataDir }, deps()))
    for (const name of ['dns', 'https', `wildcard .${HOST}`, `relay 127.0.0.1:${relay.port}`, 'plc documents', 'smtp', 'disk space', 'disk sync', 'permissions']) {
      expect({ name, status: checks[name]?.status, detail: checks[name]?.detail }).toMatchObject({ name, status: 'pass' })
    }
    expect(checks['plc documents']!.detail).toContain('1 did:plc documents point here')
    expect(checks['disk sync']!.detail).toMatch(
      /^a commit's fdatasync in .+: median [\d.]+ ms, slowest [\d.]+ ms \(32 tries\); every durable write waits for one$/,
    )
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.pds-doctor-sync'))).toEqual([]) // its scratch file is gone
  })

  test('everything wrong: each check says what failed and what to do', async () => {
    plcKeyOverride = 'zQ3shOtherKeyxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    chmodSync(join(dataDir, 'pds.env'), 0o644)
    const closedPort = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const deadPort = closedPort.port
    closedPort.stop(true)
    const broken = deps({
      resolve: async () => [],
      fetch: async (url) => (url.includes('127.0.0.1') ? fetch(url) : Promise.reject(new Error('connection refused'))),
      greeting: (host, _port, timeout, wait) => realNetworkDeps.greeting(host, deadPort, timeout, wait),
      freeBytes: () => 10 * 1024 ** 2,
      diskSyncs: () => ({ count: 32, medianMs: 80, slowestMs: 240 }),
    })
    try {
      const checks = byName(await runDoctorChecks({ dataDir }, broken))
      expect(checks.dns).toMatchObject({ status: 'fail', ok: false })
      expect(checks.dns!.fix).toContain('A (and AAAA) record')
      expect(checks.https).toMatchObject({ status: 'fail' })
      expect(checks[`wildcard .${HOST}`]).toMatchObject({ status: 'warn', ok: true })
      expect(checks['plc documents']).toMatchObject({ status: 'fail' })
      expect(checks['plc documents']!.detail).toContain('signing key differs')
      expect(checks.smtp).toMatchObject({ status: 'fail' })
      expect(checks['disk space']).toMatchObject({ status: 'fail' })
      expect(checks['disk sync']).toMatchObject({ status: 'warn', ok: true })
      expect(checks['disk sync']!.detail).toContain('median 80 ms, slowest 240 ms (32 tries), slower than PDS_ALERT_DISK_SYNC_MS (50 ms): a client writing one record at a time gets at most ~12 writes/s')
      expect(checks['disk sync']!.fix).toContain('PDS_SQLITE_SYNCHRONOUS=normal')
      expect(checks.permissions).toMatchObject({ status: 'warn' })
      expect(checks.permissions!.fix).toContain('chmod 600')
    } finally {
      plcKeyOverride = null
      chmodSync(join(dataDir, 'pds.env'), 0o600)
    }
  })

  test('PLC directory unreachable: doctor says so and blames no account', async () => {
    const plcDown = deps({
      fetch: async (url, init) => (url.includes(`:${plc.port}/`) ? Promise.reject(new Error('connect ECONNREFUSED')) : deps().fetch(url, init)),
    })
    const check = byName(await runDoctorChecks({ dataDir }, plcDown))['plc documents']!
    expect(check.status).toBe('fail')
    expect(check.detail).toBe(`PLC directory http://127.0.0.1:${plc.port} is unreachable (connect ECONNREFUSED); 1 did:plc documents not checked`)
    expect(check.fix).toContain('network access')
    expect(check.fix).not.toContain('remove the account')
  })

  test('the CLI: a development setup warns and exits 0; JSON output; a broken config fails', async () => {
    const devDir = join(work, 'dev')
    mkdirSync(devDir)
    writeFileSync(join(devDir, 'pds.env'), formatEnvFile(testEnv(devDir, 2583)), { mode: 0o600 })
    const res = await pds(['doctor', '--data-dir', devDir])
    expect(res.stdout).toMatch(/^dns\s+WARN\s+localhost is a development hostname/m)
    expect(res.stdout).toMatch(/^permissions\s+OK\s+/m)
    expect(res.code).toBe(0)
    const json = await pds(['doctor', '--data-dir', devDir, '--json'])
    expect(json.json().checks.map((c: DoctorCheck) => c.name)).toEqual(expect.arrayContaining(['disk space', 'disk sync']))
    // A data directory not made yet: nothing to time, said so (the permissions check says what to do).
    const missing = join(devDir, 'not-yet')
    writeFileSync(join(devDir, 'pds.env'), formatEnvFile({ ...testEnv(devDir, 2583), PDS_DATA_DIRECTORY: missing }), { mode: 0o600 })
    const early = byName((await pds(['doctor', '--env-file', join(devDir, 'pds.env'), '--json'])).json().checks)
    expect(early['disk sync']).toMatchObject({ status: 'warn', detail: `cannot time the disk's syncs: ${missing} does not exist yet` })
    expect(existsSync(missing)).toBe(false)
    writeFileSync(join(devDir, 'pds.env'), 'PDS_HOSTNAME=localhost\n')
    const bad = await pds(['doctor', '--data-dir', devDir])
    expect(bad.stdout).toMatch(/^config\s+FAIL\s+configuration error/m)
    expect(bad.code).toBe(1)
  })
})
