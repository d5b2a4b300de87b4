// The alert rules (src/services/health/alerts.ts) and the sequencer's append health they read.
import { describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { evaluateAlerts, RecentDiskSyncs, type AlertInputs } from '../../src/services/health/index.ts'
import { CircuitBreaker } from '../../src/services/net/circuit-breaker.ts'
import { migrate } from '../../src/storage/sqlite.ts'
import { createLogger } from '../../src/logger.ts'
import { SequencerStore } from '../../src/storage/sequencer/repo-seq.ts'
import { Sequencer } from '../../src/services/sequencer/sequencer.ts'

const HOUR = 3_600_000
const now = Date.parse('2026-01-10T12:00:00Z')
const calm: AlertInputs = {
  now,
  backup: { intervalMs: 6 * HOUR, lastFinishedAt: new Date(now - 3 * HOUR).toISOString(), watchingSince: now - 100 * HOUR },
  disk: { usedPercent: 40, thresholdPercent: 90 },
  diskSyncs: { count: 64, medianMs: 0.4, slowestMs: 3, thresholdMs: 50 },
  firehose: { failing: false, since: null, lastError: null, pendingRepos: 0 },
  upstreams: [{ name: 'plc directory', state: 'closed', failures: 0, lastError: null, retryAt: null }],
  email: { state: 'closed', failures: 0 },
}
const ids = (inputs: Partial<AlertInputs>) => evaluateAlerts({ ...calm, ...inputs }).map((a) => a.id)

describe('alert rules', () => {
  test('all well: no alerts', () => {
    expect(evaluateAlerts(calm)).toEqual([])
  })

  test('a backup older than twice the interval; none at all once the server has waited that long', () => {
    expect(ids({ backup: { ...calm.backup!, lastFinishedAt: new Date(now - 11 * HOUR).toISOString() } })).toEqual([])
    const stale = evaluateAlerts({ ...calm, backup: { ...calm.backup!, lastFinishedAt: new Date(now - 13 * HOUR).toISOString() } })
    expect(stale.map((a) => a.id)).toEqual(['backup-stale'])
    expect(stale[0]!.message).toContain('13h ago')
    expect(ids({ backup: { ...calm.backup!, lastFinishedAt: null, watchingSince: now - HOUR } })).toEqual([])
    expect(ids({ backup: { ...calm.backup!, lastFinishedAt: null } })).toEqual(['backup-stale'])
    expect(ids({ backup: null })).toEqual([])
  })

  test('disk over the threshold', () => {
    expect(ids({ disk: { usedPercent: 90, thresholdPercent: 90 } })).toEqual([])
    expect(ids({ disk: { usedPercent: 90.5, thresholdPercent: 90 } })).toEqual(['disk-full'])
  })

  test('a disk whose syncs take longer than the threshold (median), once there are enough of them', () => {
    const slow = { count: 64, medianMs: 72.5, slowestMs: 310, thresholdMs: 50 }
    const alerts = evaluateAlerts({ ...calm, diskSyncs: slow })
    expect(alerts.map((a) => a.id)).toEqual(['disk-slow'])
    expect(alerts[0]!.message).toBe('the data disk takes 73 ms to make a write durable (median of the last 64 syncs, slowest 310 ms; alert above 50 ms): every write waits for one')
    expect(ids({ diskSyncs: { ...slow, medianMs: 50 } })).toEqual([])
    expect(ids({ diskSyncs: { ...slow, count: 15 } })).toEqual([]) // the first syncs after start-up say too little
    expect(ids({ diskSyncs: null })).toEqual([])
  })

  test('recent disk syncs: the last 64 kept, their median and slowest in ms', () => {
    const syncs = new RecentDiskSyncs()
    expect(syncs.summary()).toBeNull()
    for (const ms of [3, 1, 2]) syncs.record(ms / 1000)
    expect(syncs.summary()).toEqual({ count: 3, medianMs: 2, slowestMs: 3 })
    for (let i = 0; i < 64; i++) syncs.record(0.0005) // the three older ones roll out
    expect(syncs.summary()).toEqual({ count: 64, medianMs: 0.5, slowestMs: 0.5 })
  })

  test('PLC directory and AppView breakers not closed; SMTP failures', () => {
    const open = { state: 'open' as const, failures: 5, lastError: 'connect ECONNREFUSED', retryAt: null }
    expect(ids({ upstreams: [{ name: 'plc directory', ...open }, { name: 'relay bsky.network', ...open }] })).toEqual(['plc-failing'])
    expect(ids({ upstreams: [{ name: 'appview', ...open }] })).toEqual(['appview-failing'])
    expect(ids({ email: { state: 'closed', failures: 1 } })).toEqual(['email-failing'])
    const paused = evaluateAlerts({ ...calm, email: { state: 'open', failures: 5 } })
    expect(paused[0]!.message).toContain('delivery paused')
  })

  test('a passive breaker (the AppView) stays open until a success and never names a retry time', () => {
    const breaker = new CircuitBreaker('appview', { passive: true, threshold: 2, openMs: 1 })
    breaker.failed(new Error('502'))
    expect(breaker.state).toBe('closed')
    breaker.failed(new Error('502'))
    expect(breaker.snapshot()).toMatchObject({ state: 'open', failures: 2, retryAt: null })
    Bun.sleepSync(5)
    expect(breaker.state).toBe('open') // an active breaker would be half-open by now
    breaker.succeeded()
    expect(breaker.state).toBe('closed')
  })

  test('the firehose: failing while appends throw, well again after one succeeds', () => {
    const db = new Database(':memory:', { strict: true })
    migrate(db, 'sequencer')
    const store = new SequencerStore(db)
    const sequencer = new Sequencer(store, { log: createLogger('silent'), retryMs: 60_000 })
    const append = store.append.bind(store)
    let fail = true
    store.append = (events, at, frame) => {
      if (fail) throw new Error('database or disk is full')
      return append(events, at, frame)
    }
    sequencer.identity('did:plc:alice', 'alice.test')
    const health = sequencer.appendHealth()
    expect(health).toMatchObject({ failing: true, lastError: 'database or disk is full', pendingRepos: 1 })
    const alerts = evaluateAlerts({ ...calm, firehose: health })
    expect(alerts.map((a) => a.id)).toEqual(['firehose-append'])
    expect(alerts[0]!.message).toContain('database or disk is full')
    fail = false
    sequencer.identity('did:plc:bob', 'bob.test')
    expect(sequencer.appendHealth()).toEqual({ failing: false, since: null, lastError: null, pendingRepos: 0 })
    sequencer.close()
  })
})
