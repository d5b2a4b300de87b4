// /metrics on the real server: off by default, behind its bearer token when enabled, an exposition the
// real Prometheus tooling accepts (`promtool check metrics`, Debian's prometheus package, installed by
// scripts/ensure-test-tools.sh), and counters that move when the test makes requests. The AppView is a
// fake that answers 500, so its failing also shows as an alert on /xrpc/_health and /health.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'

const TOKEN = 'metrics-token-0123456789abcdef'
let plain: TestServer
let server: TestServer
let appView: ReturnType<typeof Bun.serve>
let alice: AtpAgent

beforeAll(async () => {
  appView = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ error: 'InternalServerError', message: 'down' }, { status: 500 }) })
  plain = await startTestServer()
  server = await startTestServer({
    PDS_METRICS_ENABLED: 'true',
    PDS_METRICS_TOKEN: TOKEN,
    PDS_BSKY_APP_VIEW_URL: `http://127.0.0.1:${appView.port}`,
    PDS_BSKY_APP_VIEW_DID: 'did:web:appview.test',
  })
  alice = new AtpAgent({ service: server.url })
  await alice.createAccount({ email: 'alice@example.com', handle: 'alice.test', password: 'alice-pass' })
})

afterAll(async () => {
  await plain.close()
  await server.close()
  appView.stop(true)
})

async function scrape(): Promise<string> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain')
  return res.text()
}

/** The value of one sample (`name{labels}` exactly as exposed), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

function promtool(text: string): { exitCode: number; output: string } {
  const proc = Bun.spawnSync(['promtool', 'check', 'metrics'], { stdin: new TextEncoder().encode(text), stdout: 'pipe', stderr: 'pipe' })
  return { exitCode: proc.exitCode ?? -1, output: `${proc.stdout.toString()}${proc.stderr.toString()}` }
}

describe('/metrics', () => {
  test('is off by default: 404', async () => {
    expect((await fetch(`${plain.url}/metrics`)).status).toBe(404)
  })

  test('needs the bearer token when one is configured', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer')
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Basic ${btoa(`x:${TOKEN}`)}` } })).status).toBe(401)
  })

  test('promtool accepts the exposition, and the counters move with requests', async () => {
    if (!Bun.which('promtool')) throw new Error('promtool not found: install Debian\'s prometheus package (scripts/ensure-test-tools.sh does, as root)')
    const before = await scrape()
    const did = alice.session!.did

    await alice.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'counted', createdAt: new Date().toISOString() } })
    await alice.com.atproto.repo.uploadBlob(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]), { encoding: 'image/png' })
    await expect(new AtpAgent({ service: server.url }).login({ identifier: 'alice.test', password: 'wrong' })).rejects.toThrow()
    await new AtpAgent({ service: server.url }).login({ identifier: 'alice.test', password: 'alice-pass' })
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos?cursor=0`)
    const firstFrame = new Promise((resolve) => ws.addEventListener('message', resolve, { once: true }))
    await firstFrame
    // The AppView answers 500: five failures in a row make its (watching) breaker open.
    for (let i = 0; i < 5; i++) await expect(alice.app.bsky.actor.getProfile({ actor: did })).rejects.toThrow()

    const after = await scrape()
    ws.close()
    const checked = promtool(after)
    expect(checked.output).toBe('')
    expect(checked.exitCode).toBe(0)

    const moved = (series: string) => sample(after, series) - sample(before, series)
    expect(moved('pds_xrpc_requests_total{nsid="com.atproto.repo.createRecord",status="200"}')).toBe(1)
    expect(moved('pds_xrpc_request_duration_seconds_count{nsid="com.atproto.repo.createRecord"}')).toBe(1)
    expect(moved('pds_xrpc_requests_total{nsid="com.atproto.server.createSession",status="401"}')).toBe(1)
    expect(moved('pds_repo_commits_total')).toBe(1)
    expect(moved('pds_repo_write_ops_total')).toBe(1)
    expect(moved('pds_repo_commit_duration_seconds_count')).toBe(1)
    // Where the commit's time went: its transaction, the wait for the disk, and the disk's syncs.
    expect(moved('pds_repo_commit_transaction_seconds_count')).toBe(1)
    expect(moved('pds_repo_commit_transaction_seconds_sum')).toBeGreaterThan(0)
    expect(moved('pds_repo_commit_sync_wait_seconds_count')).toBe(1)
    expect(moved('pds_repo_commit_sync_wait_seconds_sum')).toBeGreaterThan(0)
    expect(moved('pds_storage_sync_duration_seconds_count{database="repo"}')).toBeGreaterThanOrEqual(1)
    expect(moved('pds_storage_sync_duration_seconds_sum{database="repo"}')).toBeGreaterThan(0)
    expect(sample(after, 'pds_storage_sync_duration_seconds_count{database="sequencer"}')).toBeGreaterThanOrEqual(1)
    expect(moved('pds_blob_uploads_total')).toBe(1)
    expect(moved('pds_blob_upload_bytes_total')).toBe(8)
    expect(moved('pds_logins_total{outcome="failure"}')).toBe(1)
    expect(moved('pds_logins_total{outcome="success"}')).toBe(1)
    expect(moved('pds_firehose_events_total{type="commit"}')).toBe(1)
    expect(moved('pds_firehose_sent_bytes_total')).toBeGreaterThan(0)
    expect(moved('pds_proxy_requests_total{upstream="appview",status="502"}')).toBe(5)
    expect(moved('pds_xrpc_requests_total{nsid="app.bsky.actor.getProfile",status="502"}')).toBe(5)
    expect(sample(after, 'pds_firehose_subscribers')).toBe(1)
    expect(sample(after, 'pds_firehose_seq')).toBeGreaterThan(sample(before, 'pds_firehose_seq'))
    expect(sample(after, 'pds_database_bytes{database="account"}')).toBeGreaterThan(0)
    expect(sample(after, 'pds_alert_active{alert="appview-failing"}')).toBe(1)
    expect(sample(after, 'pds_alert_active{alert="disk-full"}')).toBe(0)
    // Process metrics from prom-client's default collectors, which work under Bun.
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(1e6)
    expect(after).toContain('process_cpu_seconds_total ')
    expect(after).toContain('nodejs_eventloop_lag_seconds ')
    // An unknown method is counted as 'other', so a client cannot invent label values.
    const invented = `com.example.madeUp${Date.now()}`
    const res = await fetch(`${server.url}/xrpc/${invented}`)
    await res.body?.cancel()
    const last = await scrape()
    const series = `pds_xrpc_requests_total{nsid="other",status="${res.status}"}`
    expect(sample(last, series) - sample(after, series)).toBe(1)
    expect(last).not.toContain(invented)
  })

  test('a failing AppView makes /xrpc/_health and /health report degraded (still 200, version kept)', async () => {
    for (const path of ['/xrpc/_health', '/health']) {
      const res = await fetch(`${server.url}${path}`)
      expect(res.status).toBe(200)
      const body = (await res.json()) as { version: string; status: string; alerts: Array<{ id: string; message: string }> }
      expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
      expect(body.status).toBe('degraded')
      expect(body.alerts.map((a) => a.id)).toEqual(['appview-failing'])
      expect(body.alerts[0]!.message).toContain('the AppView is failing')
    }
    // The server without problems answers as before.
    expect(await (await fetch(`${plain.url}/health`)).json()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
  })
})
