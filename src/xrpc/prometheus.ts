// The Prometheus side of src/services/metrics.ts, with prom-client. Loaded with a dynamic import only
// when PDS_METRICS_ENABLED is set, so a server without metrics never loads the library.
// Gauges (subscribers, database sizes, backup age, alerts) are read when Prometheus scrapes.
import { existsSync, statSync } from 'node:fs'
import type { Metrics } from '../services/metrics.ts'
import type { AlertId } from '../services/health/index.ts'

export type ScrapeSources = {
  subscribers(): number
  seq(): number
  /** Database name → file path (its -wal file is counted with it). */
  databases: Record<string, string>
  /** When the newest backup finished (null: none, or backups not configured). */
  lastBackup(): string | null
  activeAlerts(): AlertId[]
}

export type PrometheusExporter = {
  metrics: Metrics
  /** The text exposition and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>
}

const ALERT_IDS: AlertId[] = ['backup-stale', 'disk-full', 'disk-slow', 'firehose-append', 'plc-failing', 'appview-failing', 'email-failing']

// Default collectors that measure V8 internals: under Bun (JavaScriptCore) they report zeros or nothing.
const MEANINGLESS_UNDER_BUN = [
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_gc_duration_seconds',
]

export async function createPrometheusExporter(sources: ScrapeSources): Promise<PrometheusExporter> {
  const prom = await import('prom-client')
  const register = new prom.Registry()
  // Process CPU, RSS, open files, event-loop lag: these collectors work under Bun.
  prom.collectDefaultMetrics({ register })
  for (const name of MEANINGLESS_UNDER_BUN) register.removeSingleMetric(name)
  const registers = [register]

  // Every XRPC call is counted: plain maps instead of prom-client's labelled metrics, which hash the
  // label object on each call (measured: ~4 us per request with both; well under 1 us this way).
  const requests = new RequestStats([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
  register.registerMetric(requests.counter('pds_xrpc_requests_total', 'XRPC calls answered, by method and HTTP status') as never)
  register.registerMetric(requests.histogram('pds_xrpc_request_duration_seconds', 'Time to answer an XRPC call (until the response starts), by method') as never)
  const commits = new prom.Counter({ name: 'pds_repo_commits_total', help: 'Repo commits written', registers })
  const writeOps = new prom.Counter({ name: 'pds_repo_write_ops_total', help: 'Record creates, updates and deletes committed', registers })
  const commitLatency = new prom.Histogram({
    name: 'pds_repo_commit_duration_seconds',
    help: 'From taking the repo lock to the acknowledged commit (durable and on the firehose)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  })
  // Where a durable write's time goes (README "Behaviour worth knowing"): its SQLite transaction, then
  // the wait for the disk; the disk's own time per database. Sub-millisecond buckets: a good disk syncs
  // in 0.1-0.5 ms, a slow VPS disk in 5-20 ms.
  const fastBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
  const commitTransaction = new prom.Histogram({
    name: 'pds_repo_commit_transaction_seconds',
    help: "A commit's SQLite transaction (blocks, root, record index)",
    buckets: fastBuckets,
    registers,
  })
  const commitDurableWait = new prom.Histogram({
    name: 'pds_repo_commit_sync_wait_seconds',
    help: "From the end of a commit's transaction until its WAL is on stable storage (the head copy and the firehose append are written meanwhile)",
    buckets: fastBuckets,
    registers,
  })
  const syncs = new prom.Histogram({
    name: 'pds_storage_sync_duration_seconds',
    help: "One fdatasync of a WAL the server syncs itself, from the call until the server hears it ended: the actor stores' (repo), the firehose's (sequencer)",
    labelNames: ['database'],
    buckets: fastBuckets,
    registers,
  })
  const events = new prom.Counter({ name: 'pds_firehose_events_total', help: 'Events stored in the firehose, by type', labelNames: ['type'], registers })
  const sentBytes = new prom.Counter({ name: 'pds_firehose_sent_bytes_total', help: 'Bytes handed to firehose subscriber sockets', registers })
  const drops = new prom.Counter({ name: 'pds_firehose_slow_consumer_drops_total', help: 'Subscribers cut off with ConsumerTooSlow', registers })
  const blobUploads = new prom.Counter({ name: 'pds_blob_uploads_total', help: 'Blobs stored by uploadBlob', registers })
  const blobBytes = new prom.Counter({ name: 'pds_blob_upload_bytes_total', help: 'Bytes of blobs stored by uploadBlob', registers })
  const proxied = new prom.Counter({ name: 'pds_proxy_requests_total', help: "Calls forwarded to other services, by upstream and its status ('failed': no answer)", labelNames: ['upstream', 'status'], registers })
  const logins = new prom.Counter({ name: 'pds_logins_total', help: 'Password sign-ins, by outcome', labelNames: ['outcome'], registers })
  const rateLimited = new prom.Counter({ name: 'pds_rate_limited_total', help: 'Requests refused by a rate limit', registers })

  new prom.Gauge({ name: 'pds_firehose_subscribers', help: 'Firehose subscribers connected now', registers, collect() { this.set(sources.subscribers()) } })
  new prom.Gauge({ name: 'pds_firehose_seq', help: 'Sequence number of the newest published firehose event', registers, collect() { this.set(sources.seq()) } })
  new prom.Gauge({
    name: 'pds_database_bytes',
    help: 'Size of each server database on disk (with its WAL)',
    labelNames: ['database'],
    registers,
    collect() {
      for (const [database, path] of Object.entries(sources.databases)) this.set({ database }, fileSize(path) + fileSize(`${path}-wal`))
    },
  })
  new prom.Gauge({
    name: 'pds_last_backup_age_seconds',
    help: 'Age of the newest complete backup (absent when there is none)',
    registers,
    collect() {
      this.reset()
      const last = sources.lastBackup()
      if (last) this.set((Date.now() - Date.parse(last)) / 1000)
    },
  })
  new prom.Gauge({
    name: 'pds_alert_active',
    help: 'Health alerts (README "Metrics and alerts"): 1 while the alert holds',
    labelNames: ['alert'],
    registers,
    collect() {
      const active = new Set(sources.activeAlerts())
      for (const alert of ALERT_IDS) this.set({ alert }, active.has(alert) ? 1 : 0)
    },
  })

  const metrics: Metrics = {
    request: (nsid, status, seconds) => requests.record(nsid, status, seconds),
    commit({ ops, seconds, transactionSeconds, durableWaitSeconds }) {
      commits.inc()
      writeOps.inc(ops)
      commitLatency.observe(seconds)
      commitTransaction.observe(transactionSeconds)
      commitDurableWait.observe(durableWaitSeconds)
    },
    storageSync: (database, seconds) => syncs.observe({ database }, seconds),
    firehoseEvents: (type, count) => events.inc({ type }, count),
    firehoseBytes: (bytes) => sentBytes.inc(bytes),
    firehoseDrop: () => drops.inc(),
    blobUpload(bytes) {
      blobUploads.inc()
      blobBytes.inc(bytes)
    },
    proxyCall: (upstream, status) => proxied.inc({ upstream, status }),
    login: (outcome) => logins.inc({ outcome }),
    rateLimited: () => rateLimited.inc(),
  }
  return { metrics, scrape: async () => ({ body: await register.metrics(), contentType: register.contentType }) }
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string }

/** Request counts and a latency histogram per method, in the shape prom-client's registry prints. */
class RequestStats {
  private readonly counts = new Map<string, { nsid: string; status: number; n: number }>()
  private readonly times = new Map<string, { buckets: number[]; sum: number; n: number }>()

  constructor(private readonly bounds: number[]) {}

  record(nsid: string, status: number, seconds: number): void {
    const key = `${nsid} ${status}`
    let count = this.counts.get(key)
    if (!count) this.counts.set(key, (count = { nsid, status, n: 0 }))
    count.n++
    let time = this.times.get(nsid)
    if (!time) this.times.set(nsid, (time = { buckets: this.bounds.map(() => 0), sum: 0, n: 0 }))
    const i = this.bounds.findIndex((bound) => seconds <= bound)
    if (i !== -1) time.buckets[i]!++
    time.sum += seconds
    time.n++
  }

  counter(name: string, help: string) {
    const get = async () => ({
      name,
      help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.counts.values()].map((c): Sample => ({ labels: { nsid: c.nsid, status: c.status }, value: c.n })),
    })
    return { name, help, type: 'counter', aggregator: 'sum', get, reset: () => this.counts.clear() }
  }

  histogram(name: string, help: string) {
    const get = async () => {
      const values: Sample[] = []
      for (const [nsid, t] of this.times) {
        let cumulative = 0
        this.bounds.forEach((le, i) => {
          cumulative += t.buckets[i]!
          values.push({ metricName: `${name}_bucket`, labels: { le, nsid }, value: cumulative })
        })
        values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', nsid }, value: t.n })
        values.push({ metricName: `${name}_sum`, labels: { nsid }, value: t.sum })
        values.push({ metricName: `${name}_count`, labels: { nsid }, value: t.n })
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values }
    }
    return { name, help, type: 'histogram', aggregator: 'sum', get, reset: () => this.times.clear() }
  }
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0
}
