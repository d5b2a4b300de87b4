// Each channel against a loopback fake of its real API, through the queue: request shapes, addresses
// validated, secrets kept out of logs, webhook URLs through the SSRF guard, no header injection.
import { afterAll, describe, expect, test } from 'bun:test'
import {
  DISCORD_BOT_TOKEN,
  startFakeDiscord,
  startFakeDiscordBot,
  startFakeNtfy,
  startFakeSignalRpc,
  startFakeTelegram,
  signalCliStub,
  TELEGRAM_TOKEN,
} from '../helpers/fake-notify.ts'
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

describe('the other ways in: Discord bot DMs and the signal-cli JSON-RPC daemon', () => {
  test('Discord bot: a DM channel is opened for the user id, then the message posted to it; refusals naming the user are theirs', async () => {
    const bot = startFakeDiscordBot({ users: ['100000000000000001'], closedDms: ['100000000000000002'] })
    const h = notifyHarness({ PDS_DISCORD_BOT_TOKEN: DISCORD_BOT_TOKEN, PDS_DISCORD_API_URL: bot.apiUrl, PDS_NOTIFY_BREAKER_THRESHOLD: '1' })
    const discordChannel = h.notify.channel('discord')
    // Without PDS_DISCORD_WEBHOOKS_ENABLED only user ids are addresses.
    expect(() => discordChannel.normalizeAddress(discord.webhook)).toThrow('a Discord user id')
    expect(discordChannel.normalizeAddress(' 100000000000000001 ')).toBe('100000000000000001')

    expect((await deliver(h, 'discord', '100000000000000001')).state).toBe('sent')
    expect(bot.received.at(-2)).toEqual({ recipient_id: '100000000000000001' })
    expect(bot.received.at(-1)).toEqual({ content: '**Hello**\nA body', allowed_mentions: { parse: [] } })
    expect(bot.dmsTo('100000000000000001')).toEqual(['**Hello**\nA body'])
    expect(bot.requests.at(-1)!.headers.get('user-agent')).toBe('DiscordBot (http://localhost:2583, 1)')

    // DMs closed (403 50007) and an unknown user (400 50033): failed for good, the breaker (threshold 1) stays closed.
    const closed = await deliver(h, 'discord', '100000000000000002')
    expect(closed).toMatchObject({ state: 'failed', attempts: 1, lastError: 'Discord create message: HTTP 403 Cannot send messages to this user' })
    expect((await deliver(h, 'discord', '100000000000000003')).lastError).toBe('Discord create DM: HTTP 400 Invalid Recipient(s)')
    expect(h.notify.status().breakers.find((b) => b.channel === 'discord')?.state ?? 'closed').toBe('closed')
    expect(h.logged.join('\n')).not.toContain(DISCORD_BOT_TOKEN)
    h.close()

    // A revoked token is the channel's: 401 opens the breaker; the token is in no error or log line.
    const wrong = notifyHarness({ PDS_DISCORD_BOT_TOKEN: `${DISCORD_BOT_TOKEN}x`, PDS_DISCORD_API_URL: bot.apiUrl, PDS_NOTIFY_BREAKER_THRESHOLD: '1' })
    const unauthorized = await deliver(wrong, 'discord', '100000000000000001')
    expect(unauthorized.lastError).toBe('Discord create DM: HTTP 401 401: Unauthorized')
    expect(wrong.notify.status().breakers.find((b) => b.channel === 'discord')?.state).toBe('open')
    expect(wrong.logged.join('\n')).not.toContain(DISCORD_BOT_TOKEN)
    wrong.close()
    bot.close()
  })

  test('Discord with both: webhook URLs and user ids', async () => {
    const bot = startFakeDiscordBot({ users: ['100000000000000001'] })
    const h = notifyHarness({ PDS_DISCORD_BOT_TOKEN: DISCORD_BOT_TOKEN, PDS_DISCORD_API_URL: bot.apiUrl, PDS_DISCORD_WEBHOOKS_ENABLED: 'true' })
    expect((await deliver(h, 'discord', discord.webhook)).state).toBe('sent')
    expect((await deliver(h, 'discord', '100000000000000001')).state).toBe('sent')
    h.close()
    bot.close()
  })

  test('signal-cli JSON-RPC: send with recipient or username; an unregistered number fails that delivery only', async () => {
    const daemon = startFakeSignalRpc({ unregistered: ['+15550000404'] })
    const h = notifyHarness({ PDS_SIGNAL_RPC_URL: daemon.rpcUrl, PDS_NOTIFY_BREAKER_THRESHOLD: '1' })
    expect((await deliver(h, 'signal', '+1 (555) 000-0777')).state).toBe('sent')
    const sent = daemon.received.at(-1)!
    expect(sent).toEqual({ jsonrpc: '2.0', method: 'send', params: { message: 'Hello\n\nA body', recipient: ['+15550000777'] }, id: expect.stringMatching(/^notification-\d+$/) })
    expect((await deliver(h, 'signal', 'alice.42')).state).toBe('sent')
    expect(daemon.received.at(-1)!.params).toEqual({ message: 'Hello\n\nA body', username: ['alice.42'] })

    const unregistered = await deliver(h, 'signal', '+15550000404')
    expect(unregistered).toMatchObject({ state: 'failed', attempts: 1, lastError: 'signal-cli JSON-RPC send: UNREGISTERED_FAILURE' })
    expect(h.notify.status().breakers.find((b) => b.channel === 'signal')?.state ?? 'closed').toBe('closed')
    // An address that is no Signal recipient never reaches the daemon.
    const before = daemon.requests.length
    expect((await deliver(h, 'signal', '--help; rm -rf /')).state).toBe('failed')
    expect(daemon.requests.length).toBe(before)
    // The daemon down (503): a channel failure, retried, and the breaker opens.
    daemon.failNext(1, 503, { message: 'Service Unavailable' })
    const down = h.notify.enqueue({ did: null, kind: 'test', channel: 'signal', address: '+15550000778', subject: 'Hello', body: 'A body' })
    await h.notify.dispatch(down)
    expect(h.notify.notification(down)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'signal-cli JSON-RPC send: HTTP 503 Service Unavailable' })
    expect(h.notify.status().breakers.find((b) => b.channel === 'signal')?.state).toBe('open')
    h.close()
    daemon.close()
  })

  test('signal-cli JSON-RPC in multi-account mode names the account', async () => {
    const daemon = startFakeSignalRpc({ account: '+15550000001' })
    const h = notifyHarness({ PDS_SIGNAL_RPC_URL: daemon.rpcUrl, PDS_SIGNAL_ACCOUNT: '+15550000001' })
    expect((await deliver(h, 'signal', '+15550000777')).state).toBe('sent')
    expect(daemon.received.at(-1)!.params).toMatchObject({ account: '+15550000001', recipient: ['+15550000777'] })
    h.close()
    daemon.close()
  })
})
