// The notification queue, its delivery attempts, people's channels and the per-channel breakers
// (migrations/account/002_notifications.sql).
import type { Database } from 'bun:sqlite'

export type NotificationState = 'queued' | 'sent' | 'failed'

export type NewNotification = { did: string | null; kind: string; channel: string; address: string; subject: string; body: string }

export type NotificationRow = NewNotification & {
  id: number
  state: NotificationState
  attempts: number
  nextAttemptAt: number
  createdAt: string
  doneAt: string | null
  lastError: string | null
}

/** Inserts a queued notification due now; returns its id. Callers put it in the same transaction as the token. */
export function insertNotification(db: Database, n: NewNotification, now = Date.now()): number {
  const row = db
    .query<{ id: number }, [string | null, string, string, string, string, string, number, string]>(
      'INSERT INTO notification (did, kind, channel, address, subject, body, nextAttemptAt, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    )
    .get(n.did, n.kind, n.channel, n.address, n.subject, n.body, now, new Date(now).toISOString())
  return row!.id
}

export function getNotification(db: Database, id: number): NotificationRow | null {
  return db.query<NotificationRow, [number]>('SELECT * FROM notification WHERE id = ?').get(id)
}

/** Queued notifications due at `now`, oldest first. */
export function dueNotifications(db: Database, now: number, limit: number): NotificationRow[] {
  return db
    .query<NotificationRow, [number, number]>("SELECT * FROM notification WHERE state = 'queued' AND nextAttemptAt <= ? ORDER BY nextAttemptAt, id LIMIT +?")
    .all(now, limit)
}

/** When the next queued notification is due (null: none queued). */
export function nextDueAt(db: Database): number | null {
  return db.query<{ at: number | null }, []>("SELECT min(nextAttemptAt) AS at FROM notification WHERE state = 'queued'").get()?.at ?? null
}

export type AttemptResult =
  | { ok: true }
  | { ok: false; error: string; retryAt: number | null }

/**
 * Records one attempt and its outcome in one transaction. A delivered message keeps no body: the codes
 * it carried are not worth keeping once sent. retryAt null: failed for good.
 */
export function recordAttempt(db: Database, id: number, channel: string, result: AttemptResult, now = Date.now()) {
  const at = new Date(now).toISOString()
  db.transaction(() => {
    const { attempts } = db.query<{ attempts: number }, [number]>('UPDATE notification SET attempts = attempts + 1 WHERE id = ? RETURNING attempts').get(id)!
    db.query('INSERT INTO notification_attempt (notificationId, attempt, channel, at, ok, error) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      attempts,
      channel,
      at,
      result.ok ? 1 : 0,
      result.ok ? null : result.error,
    )
    if (result.ok) db.query("UPDATE notification SET state = 'sent', doneAt = ?, body = '', lastError = NULL WHERE id = ?").run(at, id)
    else if (result.retryAt === null) db.query("UPDATE notification SET state = 'failed', doneAt = ?, body = '', lastError = ? WHERE id = ?").run(at, result.error, id)
    else db.query('UPDATE notification SET nextAttemptAt = ?, lastError = ? WHERE id = ?').run(result.retryAt, result.error, id)
  })()
}

/** Pushes a queued notification back without counting an attempt (its channel's breaker is open). */
export function postponeNotification(db: Database, id: number, until: number) {
  db.query("UPDATE notification SET nextAttemptAt = ? WHERE id = ? AND state = 'queued'").run(until, id)
}

/** Drops notifications done before `before` (ISO time) and their attempts. */
export function pruneNotifications(db: Database, before: string) {
  db.transaction(() => {
    db.query("DELETE FROM notification_attempt WHERE notificationId IN (SELECT id FROM notification WHERE state != 'queued' AND doneAt < ?)").run(before)
    db.query("DELETE FROM notification WHERE state != 'queued' AND doneAt < ?").run(before)
  })()
}

export type AttemptRow = { notificationId: number; attempt: number; channel: string; at: string; ok: number; error: string | null }

export function listAttempts(db: Database, id: number): AttemptRow[] {
  return db.query<AttemptRow, [number]>('SELECT * FROM notification_attempt WHERE notificationId = ? ORDER BY attempt').all(id)
}

export type HistoryRow = { id: number; kind: string; channel: string; state: NotificationState; attempts: number; createdAt: string; doneAt: string | null }

/** A person's notifications, newest first (no bodies, no addresses). */
export function notificationHistory(db: Database, did: string, limit: number): HistoryRow[] {
  return db
    .query<HistoryRow, [string, number]>('SELECT id, kind, channel, state, attempts, createdAt, doneAt FROM notification WHERE did = ? ORDER BY id DESC LIMIT +?')
    .all(did, limit)
}

export type QueueCounts = { queued: number; sent: number; failed: number; oldestQueuedAt: string | null }

export function queueCounts(db: Database): QueueCounts {
  const counts = { queued: 0, sent: 0, failed: 0, oldestQueuedAt: null as string | null }
  for (const row of db.query<{ state: NotificationState; n: number }, []>('SELECT state, count(*) AS n FROM notification GROUP BY state').all()) {
    counts[row.state] = row.n
  }
  counts.oldestQueuedAt = db.query<{ at: string | null }, []>("SELECT min(createdAt) AS at FROM notification WHERE state = 'queued'").get()?.at ?? null
  return counts
}

export type FailureRow = { id: number; kind: string; channel: string; attempts: number; doneAt: string | null; lastError: string | null }

export function recentFailures(db: Database, limit: number): FailureRow[] {
  return db
    .query<FailureRow, [number]>("SELECT id, kind, channel, attempts, doneAt, lastError FROM notification WHERE state = 'failed' ORDER BY id DESC LIMIT +?")
    .all(limit)
}

// People's channels
// -----------------

export type ChannelRow = { did: string; channel: string; address: string; code: string | null; codeRequestedAt: string | null; verifiedAt: string | null; preferred: number }

/** Adds or replaces a channel, unverified, with a fresh code (a new address must be verified again). */
export function putPendingChannel(db: Database, did: string, channel: string, address: string, code: string, now = new Date().toISOString()) {
  db.query(
    `INSERT INTO notify_channel (did, channel, address, code, codeRequestedAt, verifiedAt, preferred) VALUES (?, ?, ?, ?, ?, NULL, 0)
     ON CONFLICT (did, channel) DO UPDATE SET address = excluded.address, code = excluded.code, codeRequestedAt = excluded.codeRequestedAt, verifiedAt = NULL, preferred = 0`,
  ).run(did, channel, address, code, now)
}

export function getChannel(db: Database, did: string, channel: string): ChannelRow | null {
  return db.query<ChannelRow, [string, string]>('SELECT * FROM notify_channel WHERE did = ? AND channel = ?').get(did, channel)
}

export function listChannels(db: Database, did: string): ChannelRow[] {
  return db.query<ChannelRow, [string]>('SELECT * FROM notify_channel WHERE did = ? ORDER BY channel').all(did)
}

export function markChannelVerified(db: Database, did: string, channel: string, now = new Date().toISOString()) {
  db.query('UPDATE notify_channel SET verifiedAt = ?, code = NULL, codeRequestedAt = NULL WHERE did = ? AND channel = ?').run(now, did, channel)
}

/** Makes `channel` the one preferred channel of `did` (null: none, email is used). */
export function setPreferredChannel(db: Database, did: string, channel: string | null) {
  db.transaction(() => {
    db.query('UPDATE notify_channel SET preferred = 0 WHERE did = ?').run(did)
    if (channel) db.query('UPDATE notify_channel SET preferred = 1 WHERE did = ? AND channel = ? AND verifiedAt IS NOT NULL').run(did, channel)
  })()
}

export function preferredChannel(db: Database, did: string): ChannelRow | null {
  return db.query<ChannelRow, [string]>('SELECT * FROM notify_channel WHERE did = ? AND preferred = 1 AND verifiedAt IS NOT NULL').get(did)
}

export function deleteChannel(db: Database, did: string, channel: string) {
  db.query('DELETE FROM notify_channel WHERE did = ? AND channel = ?').run(did, channel)
}

// Breakers
// --------

export type BreakerRow = { channel: string; state: 'closed' | 'open' | 'half-open'; failures: number; openedAt: string | null; retryAt: number | null }

export function listBreakers(db: Database): BreakerRow[] {
  return db.query<BreakerRow, []>('SELECT * FROM notify_breaker ORDER BY channel').all()
}

export function putBreaker(db: Database, b: BreakerRow) {
  db.query(
    `INSERT INTO notify_breaker (channel, state, failures, openedAt, retryAt) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (channel) DO UPDATE SET state = excluded.state, failures = excluded.failures, openedAt = excluded.openedAt, retryAt = excluded.retryAt`,
  ).run(b.channel, b.state, b.failures, b.openedAt, b.retryAt)
}
