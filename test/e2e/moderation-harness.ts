// Shared setup of the moderation e2e tests: a PLC directory, an SMTP sink, the real server with a
// moderation team account set up (`pds moderation enable`'s endpoint), and helpers to call Ozone methods.
import { AtpAgent } from '@atproto/api'
import { SimpleDidResolver } from '../helpers/did-resolver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'
import { decode as decodeCbor, encode as encodeCbor } from '@ipld/dag-cbor'
import { verifySignature } from '@atproto/crypto'
import type { XRPCError } from '@atproto/xrpc'

type Account = { agent: AtpAgent; did: string; handle: string; email: string; password: string }

export type ModHarness = {
  server: TestServer
  plc: TestPlc
  smtp: TestSmtp
  agent(): AtpAgent
  signUp(name: string): Promise<Account>
  close(): Promise<void>
  teamDid: string
  labelKey: string
  team: AtpAgent
  /** An agent whose calls carry atproto-proxy: <team>#atproto_labeler. */
  viaTeam(agent: AtpAgent): AtpAgent
  xrpc(nsid: string, opts?: { method?: string; params?: Record<string, string | string[]>; body?: unknown; auth?: string; proxy?: boolean }): Promise<{ status: number; body: any }>
}

/** `plc`: share another server's directory (cross-server tests). */
export async function startModHarness(env: Record<string, string> = {}, shared: { plc?: TestPlc } = {}): Promise<ModHarness> {
  const plc = shared.plc ?? (await startPlcDirectory())
  const smtp = await startSmtpSink()
  const server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_EMAIL_SMTP_URL: smtp.url,
    PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost',
    PDS_MODERATION_EMAIL_SMTP_URL: smtp.url,
    PDS_MODERATION_EMAIL_ADDRESS: 'moderation@localhost',
    PDS_MOD_TEAM_HANDLE: 'mod.test',
    ...env,
  })
  const agent = () => new AtpAgent({ service: server.url })
  const h = {
    server,
    plc,
    smtp,
    agent,
    async signUp(name: string): Promise<Account> {
      const a = agent()
      const email = `${name}@example.com`
      const password = `${name}-password`
      const handle = `${name}.test`
      const res = await a.createAccount({ email, handle, password })
      return { agent: a, did: res.data.did, handle, email, password }
    },
    async close() {
      await server.close()
      await smtp.close()
      if (!shared.plc) await plc.close()
    },
  }
  const lead = await h.signUp('mod')
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, {
    method: 'POST',
    headers: { authorization: h.server.adminAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ account: 'mod.test' }),
  })
  if (!res.ok) throw new Error(`enable failed: ${res.status} ${await res.text()}`)
  const enabled = (await res.json()) as { did: string; labelKey: string }
  const viaTeam = (agent: AtpAgent) => agent.withProxy('atproto_labeler', enabled.did as `did:${string}:${string}`) as AtpAgent
  return {
    ...h,
    teamDid: enabled.did,
    labelKey: enabled.labelKey,
    team: viaTeam(lead.agent),
    viaTeam,
    async xrpc(nsid, opts = {}) {
      const url = new URL(`/xrpc/${nsid}`, h.server.url)
      for (const [k, v] of Object.entries(opts.params ?? {})) for (const one of [v].flat()) url.searchParams.append(k, one)
      const headers: Record<string, string> = {}
      if (opts.auth) headers.authorization = opts.auth
      if (opts.proxy !== false) headers['atproto-proxy'] = `${enabled.did}#atproto_labeler`
      if (opts.body !== undefined) headers['content-type'] = 'application/json'
      const r = await fetch(url, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : undefined }
    },
  }
}

/** The #atproto_label key as anyone resolves it: from the team's DID document in the PLC directory. */
export async function labelKeyFromPlc(plcUrl: string, did: string): Promise<string> {
  const doc = await new SimpleDidResolver({ plcUrl }).resolve(did, true)
  const vm = doc?.verificationMethod?.find((m) => m.id === '#atproto_label' || m.id === `${did}#atproto_label`)
  if (!vm || vm.type !== 'Multikey' || !vm.publicKeyMultibase) throw new Error('no #atproto_label key in the DID document')
  return `did:key:${vm.publicKeyMultibase}`
}

/** Verifies a label as the spec says, with @ipld/dag-cbor and @atproto/crypto (not our code). */
export async function verifiesWith(label: Record<string, any>, didKey: string): Promise<boolean> {
  const { sig, ...rest } = label
  const bytes = sig instanceof Uint8Array ? sig : new Uint8Array(Buffer.from(sig.$bytes ?? sig, 'base64'))
  return verifySignature(didKey, encodeCbor(rest), bytes)
}

export type LabelFrame = { t?: string; op: number; body: any }

/** subscribeLabels over a real WebSocket, its frames decoded (header and body: two DAG-CBOR items). */
export function subscribeLabelFrames(port: number, cursor?: number): Promise<{ ws: WebSocket; frames: LabelFrame[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/xrpc/com.atproto.label.subscribeLabels${cursor === undefined ? '' : `?cursor=${cursor}`}`)
  ws.binaryType = 'arraybuffer'
  const frames: LabelFrame[] = []
  ws.onmessage = (e) => {
    const bytes = new Uint8Array(e.data as ArrayBuffer)
    for (let i = 1; i <= bytes.length; i++) {
      try {
        const header = decodeCbor(bytes.subarray(0, i)) as { op: number; t?: string }
        frames.push({ ...header, body: decodeCbor(bytes.subarray(i)) })
        return
      } catch {}
    }
  }
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, frames })
    ws.onerror = reject
  })
}

/** The XRPC error a call fails with; a call that succeeds fails the test. */
export async function fails(call: Promise<unknown>): Promise<XRPCError> {
  try {
    await call
  } catch (err) {
    return err as XRPCError
  }
  throw new Error('the call succeeded')
}
