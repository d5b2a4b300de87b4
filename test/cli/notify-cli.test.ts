// `pds notify test` as an operator runs it, and the queue in `pds status`.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pds } from './cli-harness.ts'
import { startFakeTelegram, TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { insertNotification, putBreaker } from '../../src/storage/account/notifications.ts'
import { testEnv } from '../helpers/server.ts'
import { formatEnvFile } from '../../src/config/env.ts'

const telegram = startFakeTelegram()
afterAll(() => telegram.close())

function dataDir(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pds-notify-cli-'))
  const env = testEnv(dir, 1, { PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url, ...extra })
  writeFileSync(join(dir, 'pds.env'), formatEnvFile(env))
  return dir
}

test('pds notify test sends through the channel and reports errors without the bot token', async () => {
  const dir = dataDir()
  const ok = await pds(['notify', 'test', 'telegram', '5150', '--data-dir', dir, '--json'])
  expect(ok.code).toBe(0)
  expect(ok.json()).toEqual({ sent: true, channel: 'telegram', address: '5150' })
  expect(telegram.received.at(-1)).toMatchObject({ chat_id: '5150', text: expect.stringContaining('test message') })

  telegram.failNext(1, 401, { ok: false, error_code: 401, description: 'Unauthorized' })
  const refused = await pds(['notify', 'test', 'telegram', '5150', '--data-dir', dir])
  expect(refused.code).toBe(69)
  expect(refused.stderr).toContain('Unauthorized')
  expect(refused.stdout + refused.stderr).not.toContain(TELEGRAM_TOKEN)

  const bad = await pds(['notify', 'test', 'signal', '+15551234567', '--data-dir', dir])
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('not configured')
  const noSmtp = await pds(['notify', 'test', 'email', 'a@example.com', '--data-dir', dir])
  expect(noSmtp.code).toBe(2)
  expect(noSmtp.stderr).toContain('PDS_EMAIL_SMTP_URL')
}, 60_000)

test('pds status shows the queue, an open breaker and the last failure', async () => {
  const dir = dataDir()
  const db = openDatabase(join(dir, 'account.sqlite'), 'account')
  insertNotification(db, { did: null, kind: 'reset_password', channel: 'telegram', address: '1', subject: 's', body: 'b' })
  putBreaker(db, { channel: 'telegram', state: 'open', failures: 5, openedAt: new Date().toISOString(), retryAt: Date.now() + 60_000 })
  db.close()
  const run = await pds(['status', '--data-dir', dir, '--url', 'http://127.0.0.1:9'])
  expect(run.stdout).toContain('notify:    1 queued')
  expect(run.stdout).toContain('telegram PAUSED: circuit breaker open after 5 failures')
  const json = await pds(['status', '--data-dir', dir, '--url', 'http://127.0.0.1:9', '--json'])
  expect(json.json().notifications.breakers[0]).toMatchObject({ channel: 'telegram', state: 'open' })
}, 60_000)
