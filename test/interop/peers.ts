// Our server and the reference PDS side by side on one PLC directory, with the same small helpers for
// both, so interop tests can run one scenario on each and compare the answers.
import { AtpAgent } from '@atproto/api'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startReferencePds, type ReferencePds } from '../helpers/reference-pds.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'

export type Peer = { name: 'ours' | 'reference'; url: string; did: string; adminAuth: string }

export type Peers = {
  plc: TestPlc
  smtp: TestSmtp
  ours: TestServer
  reference: ReferencePds
  peers: Peer[]
  close(): Promise<void>
}

/**
 * `appView` configures an AppView on both (the reference serves app.bsky.actor.*Preferences only then);
 * it is never reached in these tests, so it points at a closed loopback port.
 */
/** `dnsServer`: a loopback DNS server (test/helpers/dns.ts) both servers ask as their backup nameserver. */
/** `oursEnv`: extra configuration for our server only (e.g. PDS_MOD_TEAM_HANDLE). */
export async function startPeers(opts: { appView?: boolean; dnsServer?: string; oursEnv?: Record<string, string> } = {}): Promise<Peers> {
  const plc = await startPlcDirectory()
  const smtp = await startSmtpSink()
  const appView: Record<string, string> = opts.appView ? { PDS_BSKY_APP_VIEW_URL: 'http://localhost:9', PDS_BSKY_APP_VIEW_DID: 'did:web:appview.localhost' } : {}
  const [ours, reference] = await Promise.all([
    startTestServer({ PDS_DID_PLC_URL: plc.url, PDS_EMAIL_SMTP_URL: smtp.url, PDS_EMAIL_FROM_ADDRESS: 'ours@localhost', ...appView, ...(opts.dnsServer ? { PDS_HANDLE_BACKUP_NAMESERVERS: opts.dnsServer } : {}), ...opts.oursEnv }),
    startReferencePds({ plcUrl: plc.url, smtpUrl: smtp.url, env: appView, dnsServer: opts.dnsServer }),
  ])
  return {
    plc,
    smtp,
    ours,
    reference,
    peers: [
      { name: 'ours', url: ours.url, did: ours.config.service.did, adminAuth: ours.adminAuth },
      { name: 'reference', url: reference.url, did: reference.did, adminAuth: reference.adminAuth },
    ],
    async close() {
      await Promise.allSettled([ours.close(), reference.stop()])
      await smtp.close()
      await plc.close()
    },
  }
}

export type Account = { agent: AtpAgent; did: string; handle: string; password: string; email: string }

let counter = 0
export async function createAccount(peer: Peer, prefix: string): Promise<Account> {
  const handle = `${prefix}${++counter}${peer.name === 'ours' ? 'o' : 'r'}.test`
  const email = `${handle}@example.com`
  const password = `${prefix}-password`
  const agent = new AtpAgent({ service: peer.url })
  const { data } = await agent.createAccount({ handle, email, password })
  return { agent, did: data.did, handle, password, email }
}

/** One XRPC call as raw HTTP: status, error name (for errors) and JSON body (when JSON). */
export async function xrpc(
  url: string,
  nsid: string,
  opts: { params?: Record<string, string | string[]>; body?: unknown; auth?: string; method?: 'GET' | 'POST' } = {},
): Promise<{ status: number; error?: string; message?: string; json?: any; bytes: Uint8Array; contentType: string | null }> {
  const u = new URL(`/xrpc/${nsid}`, url)
  for (const [k, v] of Object.entries(opts.params ?? {})) for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one)
  const headers: Record<string, string> = {}
  if (opts.auth) headers.authorization = opts.auth
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await fetch(u, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, body })
  const bytes = new Uint8Array(await res.arrayBuffer())
  const contentType = res.headers.get('content-type')
  let json: any
  if (contentType?.startsWith('application/json')) json = JSON.parse(new TextDecoder().decode(bytes) || 'null')
  return { status: res.status, error: res.ok ? undefined : json?.error, message: res.ok ? undefined : json?.message, json, bytes, contentType }
}

/** A 1x1 PNG: a real image, so both servers keep it as an image blob. */
export const PNG_1x1 = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
)
