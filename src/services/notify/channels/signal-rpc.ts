// Signal through signal-cli's JSON-RPC daemon (`signal-cli daemon --http`, man page signal-cli-jsonrpc(5)):
// POST a JSON-RPC 2.0 request {method: "send", params: {recipient | username, message}} to its
// /api/v1/rpc URL. The answer is {result: {timestamp, results: [{type, …}]}} or {error: {code, message}}.
// The daemon URL is the operator's (usually loopback); the recipient is validated as for the command.
import { ChannelError, recipientError, type OutgoingMessage } from '../channel.ts'
import { post } from '../http.ts'
import { PHONE, SignalRecipients } from './signal.ts'

export type SignalRpcConfig = { url: string; account?: string }

/** signal-cli's error codes: -1 user error, -3 IO error, -4 untrusted identity key, -5 rate limited. */
const UNTRUSTED_KEY = -4
/** Per-recipient outcomes of a send that are the person's (not registered, safety number changed). */
const RECIPIENT_FAILURES = new Set(['UNREGISTERED_FAILURE', 'IDENTITY_FAILURE'])

type RpcAnswer = {
  jsonrpc?: string
  id?: unknown
  result?: { timestamp?: number; results?: Array<{ type?: string; retryAfterSeconds?: number }> }
  error?: { code?: number; message?: string }
}

export class SignalRpcChannel extends SignalRecipients {
  constructor(private readonly config: SignalRpcConfig) {
    super()
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const recipient = this.normalizeAddress(msg.address)
    const id = `notification-${msg.id}`
    const params: Record<string, unknown> = { message: `${msg.subject}\n\n${msg.text}` }
    if (PHONE.test(recipient)) params.recipient = [recipient]
    else params.username = [recipient]
    // Only a multi-account daemon needs (and accepts) the account.
    if (this.config.account) params.account = this.config.account
    const answer = (await post(
      this.config.url,
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'send', params, id }) },
      { devMode: false, untrusted: false, describe: 'signal-cli JSON-RPC send' },
    )) as RpcAnswer | null
    if (!answer || answer.jsonrpc !== '2.0' || answer.id !== id) throw new ChannelError('signal-cli JSON-RPC send: not a JSON-RPC answer to this request')
    if (answer.error) {
      const message = `signal-cli JSON-RPC send: error ${answer.error.code}: ${String(answer.error.message ?? '').slice(0, 300)}`
      // A user error naming the recipient (unregistered, invalid) or their changed key is theirs.
      if (answer.error.code === UNTRUSTED_KEY || (answer.error.code === -1 && String(answer.error.message).includes(recipient))) throw recipientError(message)
      throw new ChannelError(message)
    }
    const outcome = answer.result?.results?.[0]
    if (!outcome || outcome.type === 'SUCCESS') return
    const message = `signal-cli JSON-RPC send: ${outcome.type}`
    if (RECIPIENT_FAILURES.has(outcome.type ?? '')) throw recipientError(message)
    const retryAfterMs = typeof outcome.retryAfterSeconds === 'number' ? Math.min(outcome.retryAfterSeconds, 3600) * 1000 : undefined
    throw new ChannelError(message, { retryAfterMs })
  }
}
