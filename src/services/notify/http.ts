// Outbound HTTP for the webhook-like channels: user-supplied URLs go through the SSRF guard
// (src/services/proxy/ssrf.ts) and are fetched at the address it checked (src/services/net/guarded-fetch.ts); no redirects; a timeout; statuses mapped to
// "try again" or "give up".
import { assertPublicEndpoint } from '../proxy/ssrf.ts'
import { fetchPinned } from '../net/guarded-fetch.ts'
import { ChannelError, recipientError, redact } from './channel.ts'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const TIMEOUT_MS = 15_000

export type PostOptions = {
  /** Dev mode lets tests and local setups reach loopback fakes, as the proxy does. */
  devMode: boolean
  /** The URL came from a person (webhook, topic URL), not from the operator's configuration. */
  untrusted: boolean
  /** Masks secrets in error messages (a webhook URL's token, a bot token). */
  describe: string
  /**
   * Whether a 4xx answer names the recipient (no such chat, unknown webhook) rather than this server's
   * request or credentials: such a failure is the person's, and does not count against the channel.
   */
  isRecipientError?: (status: number, body: unknown) => boolean
  /** Masked in every error this throws (bot and access tokens: errors are logged and stored). */
  secrets?: Array<string | undefined>
}

/** The checked address to connect to (undefined: a dev-mode loopback URL, fetched as it is). */
export async function guardUrl(target: string, devMode: boolean): Promise<string | undefined> {
  const url = new URL(target)
  if (url.username || url.password) throw new ChannelError('URLs with credentials are not allowed', { permanent: true })
  if (devMode && LOOPBACK.has(url.hostname)) return undefined
  try {
    return await assertPublicEndpoint(url.href)
  } catch (err) {
    throw new ChannelError(`refused by the SSRF guard: ${(err as Error).message}`, { permanent: true })
  }
}

/** POSTs and returns the parsed JSON body (or null); throws ChannelError on any failure, secrets masked. */
export async function post(target: string, init: { headers: Record<string, string>; body: string }, opts: PostOptions): Promise<unknown> {
  try {
    return await postOnce(target, init, opts)
  } catch (err) {
    if (err instanceof ChannelError && opts.secrets) throw new ChannelError(redact(err.message, opts.secrets), err.opts)
    throw err
  }
}

async function postOnce(target: string, init: { headers: Record<string, string>; body: string }, opts: PostOptions): Promise<unknown> {
  // A person's URL is resolved once and connected to at the address checked (no DNS rebinding).
  const address = opts.untrusted ? await guardUrl(target, opts.devMode) : undefined
  let res: Response
  try {
    const request = { method: 'POST', headers: init.headers, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) } as const
    res = await (address ? fetchPinned({ url: new URL(target), address }, request) : fetch(target, request))
  } catch (err) {
    // The URL (and any token in it) stays out of the message.
    throw new ChannelError(`${opts.describe}: request failed (${(err as Error).name})`)
  }
  const text = (await res.text().catch(() => '')).slice(0, 2000)
  let json: unknown = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (res.ok) return json
  const detail = describeBody(json) ?? text.slice(0, 200)
  const message = `${opts.describe}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`
  if (res.status === 429) throw new ChannelError(message, { retryAfterMs: retryAfter(res, json) })
  if (res.status >= 500 || res.status === 408) throw new ChannelError(message)
  if (opts.isRecipientError?.(res.status, json)) throw recipientError(message)
  throw new ChannelError(message, { permanent: true })
}

function describeBody(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined
  const o = json as Record<string, unknown>
  const m = o.description ?? o.message ?? o.error
  return typeof m === 'string' ? m.slice(0, 200) : undefined
}

/** Retry-After header (seconds), Discord's retry_after (seconds) or Telegram's parameters.retry_after. */
function retryAfter(res: Response, json: unknown): number | undefined {
  const o = (json ?? {}) as { retry_after?: unknown; parameters?: { retry_after?: unknown } }
  const seconds = Number(res.headers.get('retry-after') ?? o.retry_after ?? o.parameters?.retry_after)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined
}
