// kill -9 with a queued notification: the real `pds serve` acknowledges a password reset while the
// Telegram API is down, is killed with SIGKILL, and after the restart the code arrives exactly once.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { freePort, testEnv, spawnServe } from '../helpers/server.ts'
import { startFakeTelegram, TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { markChannelVerified, putPendingChannel, setPreferredChannel } from '../../src/storage/account/notifications.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-notify-crash-'))
const telegram = startFakeTelegram()
afterAll(() => {
  telegram.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const serve = (port: number) => spawnServe(dataDir, port)

test('a password reset acknowledged while Telegram is down is delivered once after SIGKILL and restart', async () => {
  const port = await freePort()
  const env = testEnv(dataDir, port, { PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url, PDS_NOTIFY_RETRY_BASE_MS: '1500' })
  writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')

  const first = await serve(port)
  const agent = new AtpAgent({ service: first.url })
  const { data } = await agent.createAccount({ email: 'kim@example.com', handle: 'kim.test', password: 'kim-password' })
  // Kim's verified, preferred Telegram chat (the verification flow itself is tested in notify-lifecycle).
  const db = openDatabase(join(dataDir, 'account.sqlite'), 'account')
  putPendingChannel(db, data.did, 'telegram', '8080', 'AAAAA-BBBBB')
  markChannelVerified(db, data.did, 'telegram')
  setPreferredChannel(db, data.did, 'telegram')
  db.close()

  telegram.failNext(1000, 503, { ok: false, error_code: 503, description: 'Service Unavailable' })
  await agent.com.atproto.server.requestPasswordReset({ email: 'kim@example.com' })
  expect(telegram.received.length).toBe(0)
  first.proc.kill('SIGKILL')
  await first.proc.exited

  telegram.failNext(0)
  const second = await serve(port)
  try {
    for (let i = 0; i < 400 && !telegram.received.length; i++) await Bun.sleep(25)
    expect(telegram.received.length).toBe(1)
    const code = telegram.lastCode()!
    expect(telegram.received[0]).toMatchObject({ chat_id: '8080', text: expect.stringContaining('@kim.test') })
    const anon = new AtpAgent({ service: second.url })
    await anon.com.atproto.server.resetPassword({ token: code, password: 'kim-new-password' })
    await anon.login({ identifier: 'kim.test', password: 'kim-new-password' })
    await Bun.sleep(500)
    expect(telegram.received.length).toBe(1) // exactly once
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }
}, 60_000)

test('a new sign-in alert queued while Telegram is down is delivered once after SIGKILL and restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-notify-crash-alert-'))
  const port = await freePort()
  const env = testEnv(dir, port, { PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url, PDS_NOTIFY_RETRY_BASE_MS: '1500' })
  writeFileSync(join(dir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  const first = await spawnServe(dir, port)
  const { data } = await new AtpAgent({ service: first.url }).createAccount({ email: 'lou@example.com', handle: 'lou.test', password: 'lou-password' })
  const db = openDatabase(join(dir, 'account.sqlite'), 'account')
  putPendingChannel(db, data.did, 'telegram', '9090', 'AAAAA-BBBBB')
  markChannelVerified(db, data.did, 'telegram')
  setPreferredChannel(db, data.did, 'telegram')
  db.close()

  const before = telegram.received.length
  telegram.failNext(1000, 503, { ok: false, error_code: 503, description: 'Service Unavailable' })
  // A sign-in from a device the account never used: answered at once, its alert queued.
  const signIn = await fetch(`${first.url}/xrpc/com.atproto.server.createSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Unseen-Device/1.0' },
    body: JSON.stringify({ identifier: 'lou.test', password: 'lou-password' }),
  })
  expect(signIn.status).toBe(200)
  await Bun.sleep(200) // the first attempt fails against the 503s
  first.proc.kill('SIGKILL')
  await first.proc.exited
  expect(telegram.received.length).toBe(before)

  telegram.failNext(0)
  const second = await spawnServe(dir, port)
  try {
    const alerts = () => telegram.received.slice(before).filter((m) => m.chat_id === '9090')
    for (let i = 0; i < 400 && !alerts().length; i++) await Bun.sleep(25)
    expect(alerts().length).toBe(1)
    expect(alerts()[0]!.text).toContain('Device: Unseen-Device/1.0')
    await Bun.sleep(500)
    expect(alerts().length).toBe(1) // exactly once
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
