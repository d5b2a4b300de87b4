// Each channel against a loopback fake of its real API, through the queue: request shapes, addresses
// validated, secrets kept out of logs, webhook URLs through the SSRF guard, no header injection.
import { afterAll, describe, expect, test } from 'bun:test'
import { startFakeDiscord, startFakeNtfy, startFakeTelegram, signalCliStub, TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { memoryMailer, notifyHarness, until } from './harness.ts'
import { NotifyError } from '../../src/services/notify/index.ts'
import { dirname } from 'node:path'

const telegram = startFakeTelegram()
const discord = startFakeDiscord()
const ntfy = startFakeNtfy('tk_operator')
const signal = signalCliStub()
afterAll(() => {
  telegram.close()
  discord.close()
  ntfy.close()
})

function harness(extra: Record<string, string> = {}) {
  return notifyHarness({
    PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    PDS_TELEGRAM_API_URL: telegram.url,
    PDS_DISCORD_WEBHOOKS_ENABLED: 'true',
    PDS_NTFY_URL: ntfy.url,
    PDS_NTFY_TOKEN: 'tk_operator',
    PDS_SIGNAL_CLI_PATH: 'signal-cli',
    PDS_SIGNAL_ACCOUNT: '+15550000001',
    ...extra,
  })
}

/** Queues a `test` message to (channel, address) and waits until the queue is done with it. */
async function deliver(h: ReturnType<typeof harness>, channel: string, address: string) {
  const id = h.notify.enqueue({ did: null, kind: 'test', channel, address, subject: 'Hello', body: 'A body' })
  await h.notify.dispatch(id)
  return until(() => {
    const row = h.notify.notification(id)!
    return row.state !== 'queued' && row
  })
}

describe('channels against their fakes', () => {
  test('Telegram: sendMessage with chat_id and text; the bot token never reaches the log', async () => {
    const h = harness()
    const row = await deliver(h, 'telegram', '424242')
    expect(row.state).toBe('sent')
    expect(telegram.received.at(-1)).toEqual({ chat_id: '424242', text: 'Hello\n\nA body' })

    telegram.failNext(1, 400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' })
    const failed = await deliver(h, 'telegram', '99')
    expect(failed.state).toBe('failed') // a 400 is not retried
    expect(failed.lastError).toContain('chat not found')
    expect(h.logged.join('\n')).not.toContain(TELEGRAM_TOKEN)
    expect(failed.lastError).not.toContain(TELEGRAM_TOKEN)
    h.close()
  })

  test('Discord: execute-webhook JSON with content and no mentions; the webhook URL stays out of logs', async () => {
    const h = harness()
    expect((await deliver(h, 'discord', discord.webhook)).state).toBe('sent')
    expect(discord.received.at(-1)).toEqual({ content: '**Hello**\nA body', allowed_mentions: { parse: [] } })
    discord.failNext(2, 500)
    h.notify.enqueue({ did: null, kind: 'test', channel: 'discord', address: discord.webhook, subject: 'x', body: 'y' })
    await until(() => h.logged.some((l) => l.includes('will retry')))
    expect(h.logged.join('\n')).not.toContain('secret-webhook-token')
    await h.notify.queue.idle()
    h.close()
  })

  test('ntfy: JSON publish to the operator server with its token; foreign topic URLs get no token', async () => {
    const h = harness()
    expect((await deliver(h, 'ntfy', 'alice_alerts')).state).toBe('sent')
    expect(ntfy.received.at(-1)).toMatchObject({ topic: 'alice_alerts', title: 'Hello', message: 'A body' })
    expect(ntfy.requests.at(-1)!.headers.get('authorization')).toBe('Bearer tk_operator')

    const other = startFakeNtfy()
    // Another server (dev mode lets loopback through the SSRF guard): no operator token sent there.
    expect((await deliver(h, 'ntfy', `${other.url}/bob`)).state).toBe('sent')
    expect(other.requests.at(-1)!.headers.get('authorization')).toBeNull()
    expect(other.received.at(-1)).toMatchObject({ topic: 'bob' })
    other.close()
    h.close()
  })

  test('Signal: signal-cli from PATH with an argument array, the message on stdin', async () => {
    const path = process.env.PATH
    process.env.PATH = `${dirname(signal.path)}:${path}`
    try {
      const h = harness()
      expect((await deliver(h, 'signal', '+1 (555) 123-4567')).state).toBe('sent')
      expect(signal.calls().at(-1)).toEqual({ args: ['-a', '+15550000001', 'send', '--message-from-stdin', '+15551234567'], stdin: 'Hello\n\nA body' })
      expect((await deliver(h, 'signal', 'alice.42')).state).toBe('sent')
      expect(signal.calls().at(-1)!.args.slice(-2)).toEqual(['--username', 'alice.42'])
      // Anything else never reaches the command line.
      const before = signal.calls().length
      for (const bad of ['+1555; rm -rf /', '--config=/etc', '$(id)', 'alice', '+12']) {
        expect((await deliver(h, 'signal', bad)).state).toBe('failed')
      }
      expect(signal.calls().length).toBe(before)
      h.close()
    } finally {
      process.env.PATH = path
    }
  })
})

describe('safety', () => {
  test('email: CRLF in a subject is flattened; an address with CRLF or a second recipient is refused', async () => {
    const mailer = memoryMailer()
    const h = notifyHarness({}, { mailer })
    const id = h.notify.enqueue({ did: null, kind: 'test', channel: 'email', address: 'a@example.com', subject: 'Hi\r\nBcc: evil@example.com', body: 'text' })
    await h.notify.dispatch(id)
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'a@example.com', subject: 'Hi Bcc: evil@example.com' })
    expect(mailer.sent.at(-1)!.messageId).toBe(`<notification-${id}@localhost>`)
    for (const bad of ['a@example.com\r\nBcc: evil@example.com', 'a@example.com, evil@example.com', 'Evil <a@example.com>']) {
      const row = await deliver(h as never, 'email', bad)
      expect(row.state).toBe('failed')
    }
    expect(mailer.sent.length).toBe(1)
    h.close()
  })

  test('webhook URLs go through the SSRF guard outside dev mode; only Discord hosts are webhooks', async () => {
    const h = harness({ PDS_DEV_MODE: 'false', PDS_HOSTNAME: 'pds.example.com' })
    const did = 'did:plc:ssrfcheck'
    await expect(h.notify.addChannel(did, 'discord', discord.webhook)).rejects.toThrow(NotifyError)
    await expect(h.notify.addChannel(did, 'discord', 'https://evil.example/api/webhooks/1/x')).rejects.toThrow('https://discord.com/api/webhooks/')
    // An ntfy topic URL on a private address is refused before any request.
    const requests = ntfy.requests.length
    const row = await deliver(h, 'ntfy', 'https://127.0.0.1/topic')
    expect(row.state).toBe('failed')
    expect(row.lastError).toContain('SSRF')
    expect(ntfy.requests.length).toBe(requests)
    h.close()
  })
})
