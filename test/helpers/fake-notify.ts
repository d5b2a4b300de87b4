// Loopback fakes of the notification services' documented APIs, strict about the request shapes:
// Telegram Bot API sendMessage, a Discord webhook, an ntfy server, and a signal-cli stub on PATH.
import { chmodSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type FakeHttp = {
  url: string
  /** Accepted requests' parsed bodies. */
  received: Array<Record<string, unknown>>
  /** Every request, accepted or not (method, path, headers). */
  requests: Array<{ path: string; headers: Headers }>
  /** The next n requests get this status (then normal service resumes). */
  failNext(n: number, status?: number, body?: unknown, headers?: Record<string, string>): void
  /** The last XXXXX-XXXXX code in an accepted message. */
  lastCode(): string | undefined
  close(): void
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> }

function fake(handle: (req: Request, path: string, json: Record<string, unknown> | null) => Reply | { accept: Record<string, unknown>; reply: Reply }): FakeHttp {
  const received: Array<Record<string, unknown>> = []
  const requests: Array<{ path: string; headers: Headers }> = []
  let failures: Array<Reply> = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname
      requests.push({ path, headers: req.headers })
      const failure = failures.shift()
      if (failure) return Response.json(failure.body, { status: failure.status, headers: failure.headers })
      let json: Record<string, unknown> | null = null
      if ((req.headers.get('content-type') ?? '').startsWith('application/json')) {
        try {
          json = (await req.json()) as Record<string, unknown>
        } catch {
          return Response.json({ error: 'bad json' }, { status: 400 })
        }
      }
      const out = handle(req, path, json)
      if ('accept' in out) {
        received.push(out.accept)
        return out.reply.body === null ? new Response(null, { status: out.reply.status }) : Response.json(out.reply.body, { status: out.reply.status })
      }
      return Response.json(out.body, { status: out.status })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    requests,
    failNext(n, status = 503, body = { message: 'unavailable' }, headers) {
      failures = Array.from({ length: n }, () => ({ status, body, headers }))
    },
    lastCode() {
      for (const m of received.toReversed()) {
        const code = JSON.stringify(m).match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
        if (code) return code
      }
      return undefined
    },
    close: () => void server.stop(true),
  }
}

export const TELEGRAM_TOKEN = '123456:TEST-bot_token'

/** https://core.telegram.org/bots/api: POST /bot<token>/sendMessage, {chat_id, text}; answers {ok, result}. */
export function startFakeTelegram(): FakeHttp {
  return fake((req, path, json) => {
    if (path !== `/bot${TELEGRAM_TOKEN}/sendMessage`) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } }
    if (req.method !== 'POST' || !json) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } }
    const chatId = json.chat_id
    if (!(typeof chatId === 'number' || (typeof chatId === 'string' && /^(-?\d+|@\w+)$/.test(chatId)))) {
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } }
    }
    if (typeof json.text !== 'string' || !json.text.length || json.text.length > 4096) {
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } }
    }
    return { accept: json, reply: { status: 200, body: { ok: true, result: { message_id: 1, chat: { id: Number(chatId) }, date: 0, text: json.text } } } }
  })
}

/** https://discord.com/developers/docs/resources/webhook#execute-webhook: JSON {content ≤ 2000}; 204, or 200 with the message when wait=true. */
export function startFakeDiscord(): FakeHttp & { webhook: string } {
  const f = fake((req, path, json) => {
    if (!/^\/api\/webhooks\/\d+\/[\w-]+$/.test(path)) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } }
    if (!json || typeof json.content !== 'string' || !json.content.length || json.content.length > 2000) {
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } }
    }
    const wait = new URL(req.url).searchParams.get('wait') === 'true'
    return { accept: json, reply: wait ? { status: 200, body: { id: '1', content: json.content } } : { status: 204, body: null } }
  })
  return Object.assign(f, { webhook: `${f.url}/api/webhooks/123456789/secret-webhook-token` })
}

/** https://docs.ntfy.sh/publish/#publish-as-json: POST / with {topic, message, title}. */
export function startFakeNtfy(requiredToken?: string): FakeHttp {
  return fake((req, path, json) => {
    if (requiredToken && req.headers.get('authorization') !== `Bearer ${requiredToken}`) return { status: 403, body: { code: 40301, http: 403, error: 'forbidden' } }
    if (path !== '/' || !json || typeof json.topic !== 'string' || !/^[\w-]{1,64}$/.test(json.topic)) return { status: 400, body: { code: 40001, http: 400, error: 'invalid request' } }
    return { accept: json, reply: { status: 200, body: { id: 'x', event: 'message', topic: json.topic, message: json.message } } }
  })
}

export type SignalStub = { path: string; calls(): Array<{ args: string[]; stdin: string }>; failWith(code: number): void }

/** A `signal-cli` executable that records its argv and stdin (one JSON line per call). */
export function signalCliStub(): SignalStub {
  const dir = mkdtempSync(join(tmpdir(), 'signal-cli-'))
  const log = join(dir, 'calls.jsonl')
  const fail = join(dir, 'fail')
  const path = join(dir, 'signal-cli')
  writeFileSync(
    path,
    `#!/usr/bin/env bun
const input = await new Response(Bun.stdin.stream()).text()
require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), stdin: input }) + '\\n')
const fail = ${JSON.stringify(fail)}
if (require('node:fs').existsSync(fail)) { console.error('Failed to send message'); process.exit(Number(require('node:fs').readFileSync(fail, 'utf8'))) }
`,
  )
  chmodSync(path, 0o755)
  return {
    path,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
    failWith: (code) => (code ? writeFileSync(fail, String(code)) : existsSync(fail) && require('node:fs').unlinkSync(fail)),
  }
}

export const DISCORD_BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.fake-bot-token_for-tests'

/**
 * The Discord API for a bot (https://discord.com/developers/docs/reference): "Bot <token>" auth and a
 * "DiscordBot (url, version)" User-Agent on every call; POST /users/@me/channels {recipient_id} opens
 * (or returns) the DM channel; POST /channels/{id}/messages {content ≤ 2000} sends. `users` can be
 * DMed; `closedDms` exist but refuse DMs (403, code 50007); other ids are unknown (400, code 50033).
 */
export function startFakeDiscordBot(opts: { users: string[]; closedDms?: string[] }): FakeHttp & { apiUrl: string; dmsTo(user: string): string[] } {
  const channelOf = (user: string) => `9${user}`
  const sent: Array<{ channel: string; content: string }> = []
  const f = fake((req, path, json) => {
    if (req.headers.get('authorization') !== `Bot ${DISCORD_BOT_TOKEN}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } }
    if (!/^DiscordBot \(\S+, \S+\)$/.test(req.headers.get('user-agent') ?? '')) return { status: 400, body: { message: 'a DiscordBot User-Agent is required', code: 0 } }
    if (req.method !== 'POST' || !json) return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } }
    if (path === '/api/v10/users/@me/channels') {
      const user = json.recipient_id
      if (typeof user !== 'string' || !/^\d{15,21}$/.test(user)) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } }
      if (!opts.users.includes(user) && !opts.closedDms?.includes(user)) return { status: 400, body: { message: 'Invalid Recipient(s)', code: 50033 } }
      return { accept: json, reply: { status: 200, body: { id: channelOf(user), type: 1, recipients: [{ id: user }] } } }
    }
    const m = path.match(/^\/api\/v10\/channels\/(\d+)\/messages$/)
    if (!m) return { status: 404, body: { message: '404: Not Found', code: 0 } }
    if (opts.closedDms?.some((u) => channelOf(u) === m[1])) return { status: 403, body: { message: 'Cannot send messages to this user', code: 50007 } }
    if (!opts.users.some((u) => channelOf(u) === m[1])) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } }
    if (typeof json.content !== 'string' || !json.content.length || json.content.length > 2000) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } }
    sent.push({ channel: m[1]!, content: json.content })
    return { accept: json, reply: { status: 200, body: { id: '1', channel_id: m[1], content: json.content } } }
  })
  return Object.assign(f, { apiUrl: `${f.url}/api/v10`, dmsTo: (user: string) => sent.filter((s) => s.channel === channelOf(user)).map((s) => s.content) })
}

/**
 * signal-cli's JSON-RPC daemon over HTTP (signal-cli-jsonrpc(5)): POST /api/v1/rpc with one JSON-RPC 2.0
 * request. `send` takes {recipient: [E.164…] | username: [name.NN…], message}; answers {result:
 * {timestamp, results: [{recipientAddress, type}]}} with type UNREGISTERED_FAILURE for `unregistered`.
 */
export function startFakeSignalRpc(opts: { unregistered?: string[]; account?: string } = {}): FakeHttp & { rpcUrl: string } {
  const f = fake((req, path, json) => {
    if (path !== '/api/v1/rpc' || req.method !== 'POST') return { status: 404, body: null }
    const id = json?.id ?? null
    const fail = (code: number, message: string) => ({ status: 200, body: { jsonrpc: '2.0', error: { code, message, data: null }, id } })
    if (!json || json.jsonrpc !== '2.0' || (typeof id !== 'string' && typeof id !== 'number')) return fail(-32600, 'Invalid Request')
    if (json.method !== 'send') return fail(-32601, 'Method not implemented')
    const params = (json.params ?? {}) as Record<string, unknown>
    if (opts.account !== undefined && params.account !== opts.account) return fail(-32602, 'Method requires valid account parameter')
    if (opts.account === undefined && 'account' in params) return fail(-32602, 'Unknown parameter: account')
    const recipients = [...((params.recipient as unknown[]) ?? []), ...((params.username as unknown[]) ?? [])]
    const valid = (r: unknown) => typeof r === 'string' && (/^\+[1-9]\d{6,14}$/.test(r) || /^\w{3,32}\.\d{2,9}$/.test(r))
    if (!recipients.length || !recipients.every(valid) || typeof params.message !== 'string') return fail(-1, `Invalid recipient or message: ${JSON.stringify(recipients)}`)
    const results = recipients.map((r) => ({
      recipientAddress: String(r).startsWith('+') ? { number: r } : { username: r },
      type: opts.unregistered?.includes(String(r)) ? 'UNREGISTERED_FAILURE' : 'SUCCESS',
    }))
    return { accept: json, reply: { status: 200, body: { jsonrpc: '2.0', result: { timestamp: Date.now(), results }, id } } }
  })
  return Object.assign(f, { rpcUrl: `${f.url}/api/v1/rpc` })
}
