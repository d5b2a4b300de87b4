// The queue: retries with backoff after the fake fails, the breaker opening and closing, the attempt
// record, and queued messages surviving a kill -9.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeDiscord, startFakeTelegram, TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { notifyHarness, until } from './harness.ts'
import { pruneNotifications } from '../../src/storage/account/notifications.ts'

const telegram = startFakeTelegram()
afterAll(() => telegram.close())
const env = { PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url }

describe('retries and breaker', () => {
  test('a message is retried with backoff until the channel takes it; every attempt is recorded', async () => {
    const h = notifyHarness({ ...env, PDS_NOTIFY_BREAKER_THRESHOLD: '10' })
    telegram.failNext(3, 502)
    const id = h.notify.enqueue({ did: 'did:plc:a', kind: 'test', channel: 'telegram', address: '1001', subject: 'S', body: 'retry me' })
    h.notify.queue.kick()
    const row = await until(() => h.notify.notification(id)!.state === 'sent' && h.notify.notification(id)!)
    expect(row.attempts).toBe(4)
    const attempts = h.notify.attempts(id)
    expect(attempts.map((a) => a.ok)).toEqual([0, 0, 0, 1])
    expect(attempts[0]!.error).toContain('HTTP 502')
    // Backoff doubles (base 20 ms, ±20 % jitter): the gaps grow.
    const t = attempts.map((a) => Date.parse(a.at))
    expect(t[3]! - t[2]!).toBeGreaterThanOrEqual(60)
    expect(telegram.received.filter((m) => m.text === 'S\n\nretry me').length).toBe(1)
    expect(row.body).toBe('') // delivered codes are not kept
    expect(h.notify.history('did:plc:a')).toMatchObject([{ id, kind: 'test', channel: 'telegram', state: 'sent', attempts: 4 }])
    h.close()
  })

  test('429 Retry-After is honoured; a message gives up after PDS_NOTIFY_MAX_ATTEMPTS', async () => {
    const h = notifyHarness({ ...env, PDS_NOTIFY_MAX_ATTEMPTS: '2', PDS_NOTIFY_BREAKER_THRESHOLD: '10' })
    telegram.failNext(1, 429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } })
    const id = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '1002', subject: 'S', body: 'b' })
    await h.notify.dispatch(id)
    const first = h.notify.notification(id)!
    expect(first.state).toBe('queued')
    expect(first.nextAttemptAt - Date.parse(h.notify.attempts(id)[0]!.at)).toBeGreaterThanOrEqual(1000)

    telegram.failNext(5, 500)
    const other = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '1003', subject: 'S', body: 'b' })
    const failed = await until(() => h.notify.notification(other)!.state === 'failed' && h.notify.notification(other)!)
    expect(failed.attempts).toBe(2)
    expect(h.notify.status().recentFailures[0]).toMatchObject({ id: other, channel: 'telegram' })
    telegram.failNext(0)
    h.close()
  })

  test('repeated failures open the breaker (messages wait, no attempts spent); a probe after the cooldown closes it', async () => {
    const h = notifyHarness({ ...env, PDS_NOTIFY_BREAKER_THRESHOLD: '3', PDS_NOTIFY_BREAKER_COOLDOWN_MS: '400', PDS_NOTIFY_RETRY_BASE_MS: '10' })
    telegram.failNext(3, 503)
    const ids = [1, 2, 3].map((n) => h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: `20${n}`, subject: 'S', body: `m${n}` }))
    h.notify.queue.kick()
    await until(() => h.notify.status().breakers.find((b) => b.channel === 'telegram' && b.state === 'open'))
    expect(h.logged.some((l) => l.includes('circuit breaker is open'))).toBe(true)
    // While open, a new message waits without an attempt.
    const waiting = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '204', subject: 'S', body: 'm4' })
    await h.notify.dispatch(waiting)
    expect(h.notify.notification(waiting)).toMatchObject({ state: 'queued', attempts: 0 })

    // After the cooldown the fake works again: one probe succeeds, the breaker closes, everything goes.
    for (const id of [...ids, waiting]) await until(() => h.notify.notification(id)!.state === 'sent', 8000)
    expect(h.notify.status().breakers.find((b) => b.channel === 'telegram')).toMatchObject({ state: 'closed', failures: 0 })
    expect(h.logged.some((l) => l.includes('circuit breaker is closed'))).toBe(true)
    h.close()
  })

  test('recipient errors (a chat Telegram does not know, an unknown Discord webhook, a stored bad address) fail that delivery and leave the breaker closed', async () => {
    const discord = startFakeDiscord()
    const h = notifyHarness({ ...env, PDS_DISCORD_WEBHOOKS_ENABLED: 'true', PDS_NOTIFY_BREAKER_THRESHOLD: '1' })
    const breaker = (channel: string) => h.notify.status().breakers.find((b) => b.channel === channel)?.state ?? 'closed'
    telegram.failNext(1, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' })
    const noChat = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '3001', subject: 'S', body: 'b' })
    await h.notify.dispatch(noChat)
    expect(h.notify.notification(noChat)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'Telegram sendMessage: HTTP 400 Bad Request: chat not found' })
    const badStored = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: 'not a chat', subject: 'S', body: 'b' })
    await h.notify.dispatch(badStored)
    expect(h.notify.notification(badStored)).toMatchObject({ state: 'failed', attempts: 1 })
    const unknownHook = h.notify.enqueue({ did: null, kind: 'test', channel: 'discord', address: `${discord.url}/api/webhooks/1/gone`, subject: 'S', body: 'b' })
    discord.failNext(1, 404, { message: 'Unknown Webhook', code: 10015 })
    await h.notify.dispatch(unknownHook)
    expect(h.notify.notification(unknownHook)).toMatchObject({ state: 'failed', attempts: 1 })
    expect([breaker('telegram'), breaker('discord')]).toEqual(['closed', 'closed'])
    // Everyone else's messages still go.
    const fine = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '3002', subject: 'S', body: 'still works' })
    await h.notify.dispatch(fine)
    expect(h.notify.notification(fine)!.state).toBe('sent')

    // A 401 is the bot token, the channel's: with a threshold of one it opens the breaker.
    telegram.failNext(1, 401, { ok: false, error_code: 401, description: 'Unauthorized' })
    const badToken = h.notify.enqueue({ did: null, kind: 'test', channel: 'telegram', address: '3003', subject: 'S', body: 'b' })
    await h.notify.dispatch(badToken)
    expect(breaker('telegram')).toBe('open')
    h.close()
    discord.close()
  })
})

describe('durability', () => {
  test('messages queued by a process killed with SIGKILL are sent once after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pds-notify-kill-'))
    const path = join(dir, 'account.sqlite')
    // A child queues three messages for a Telegram API that is down, then is killed mid-retry.
    const script = join(import.meta.dir, 'kill-child.ts')
    const child = Bun.spawn(['bun', script, path, 'http://127.0.0.1:9'], { stdout: 'pipe', stderr: 'inherit' })
    const reader = child.stdout.getReader()
    let out = ''
    while (!out.includes('queued')) out += new TextDecoder().decode((await reader.read()).value)
    child.kill('SIGKILL')
    await child.exited

    const before = telegram.received.length
    const h = notifyHarness(env, { path })
    const rows = [1, 2, 3].map((id) => h.notify.notification(id)!)
    expect(rows.every((r) => r && r.state === 'queued')).toBe(true)
    h.db.query('UPDATE notification SET nextAttemptAt = 0').run() // no need to wait out the child's backoff
    h.notify.queue.kick()
    for (const id of [1, 2, 3]) await until(() => h.notify.notification(id)!.state === 'sent')
    await h.notify.queue.idle()
    expect(telegram.received.slice(before).map((m) => m.text).sort()).toEqual(['S\n\nkill-1', 'S\n\nkill-2', 'S\n\nkill-3'])
    h.close()
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('retention', () => {
  test('done notifications older than 30 days are pruned with their attempts; queued ones stay', async () => {
    const h = notifyHarness(env)
    const old = h.notify.enqueue({ did: 'did:plc:old', kind: 'test', channel: 'telegram', address: '4001', subject: 'S', body: 'old' })
    await h.notify.dispatch(old)
    expect(h.notify.notification(old)!.state).toBe('sent')
    h.db.query("UPDATE notification SET doneAt = '2020-01-01T00:00:00.000Z' WHERE id = ?").run(old)
    h.notify.queue.stop() // the row below stays queued
    const queued = h.notify.enqueue({ did: 'did:plc:old', kind: 'test', channel: 'nowhere', address: 'x', subject: 'S', body: 'q' })
    pruneNotifications(h.db, new Date(Date.now() - 30 * 864e5).toISOString())
    expect(h.notify.notification(old)).toBeNull()
    expect(h.notify.attempts(old)).toEqual([])
    expect(h.notify.notification(queued)!.state).toBe('queued')
    h.close()
  })
})
