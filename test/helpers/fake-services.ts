// Fake upstream services on loopback (AppView, feed generator, report service, chat) for the proxy tests.
// Each one checks the service JWT it receives the way a real one does (signature by the caller's DID key,
// aud, lxm), records what it got, and answers with whatever the test registered for the method.
import { verifyServiceJwt, type ServiceJwtPayload } from '../../src/services/service-auth/index.ts'
import { toXrpcError } from '../../src/xrpc/error-mapper.ts'

export type ReceivedCall = {
  nsid: string
  method: string
  url: URL
  headers: Headers
  jwt?: ServiceJwtPayload
  body?: Uint8Array
}

export type FakeHandler = (call: ReceivedCall) => Response | Promise<Response>

export type FakeService = {
  url: string
  did: string
  /** '#bsky_appview', '#bsky_fg', '#bsky_chat', ... */
  serviceId: string
  calls: ReceivedCall[]
  on(nsid: string, handler: FakeHandler): void
  /** Record but do not check this method's token (e.g. an AppView relaying a feed generator's token). */
  skipAuth(nsid: string): void
  close(): void
}

export type FakeServiceOptions = {
  serviceId: string
  serviceType?: string
  /** The issuer's did:key (DID document lookup against the test PLC, or a fixed key in unit tests). */
  resolveDidKey: (iss: string, forceRefresh: boolean) => Promise<string>
  /** Accept calls without a JWT (the reference's createReport and feed skeletons always carry one). */
  allowAnonymous?: boolean
}

/**
 * Starts a service whose DID is did:web:localhost%3A<port>: it serves its own /.well-known/did.json with
 * one service entry, so `atproto-proxy: <did><serviceId>` resolves to it in dev mode.
 */
export function startFakeService(opts: FakeServiceOptions): FakeService {
  const handlers = new Map<string, FakeHandler>()
  const calls: ReceivedCall[] = []
  const unchecked = new Set<string>()
  let did = ''
  let port = 0
  const server: { port?: number; stop(force?: boolean): unknown } = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req): Promise<Response> {
      const url = new URL(req.url)
      if (url.pathname === '/.well-known/did.json') {
        return Response.json({
          '@context': ['https://www.w3.org/ns/did/v1'],
          id: did,
          service: [{ id: opts.serviceId, type: opts.serviceType ?? 'AtprotoAppView', serviceEndpoint: `http://localhost:${port}` }],
        })
      }
      const nsid = url.pathname.replace(/^\/xrpc\//, '')
      const call: ReceivedCall = { nsid, method: req.method, url, headers: req.headers }
      if (req.method === 'POST') call.body = new Uint8Array(await req.arrayBuffer())
      const auth = req.headers.get('authorization')
      if (unchecked.has(nsid)) {
        // relayed as-is
      } else if (auth?.startsWith('Bearer ')) {
        try {
          call.jwt = await verifyServiceJwt(auth.slice(7), { aud: null, lxm: nsid, resolveDidKey: opts.resolveDidKey })
        } catch (err) {
          // Our verifier throws domain errors: the fake answers with the name our edge would give them.
          const e = toXrpcError(err)
          return Response.json({ error: e?.error ?? 'AuthenticationRequired', message: e?.message ?? (err as Error).message }, { status: 401 })
        }
        // Strict: the reference PDS addresses service JWTs to the bare DID, whatever the proxy header named.
        if (call.jwt.aud !== did) {
          return Response.json({ error: 'BadJwtAudience', message: `aud ${call.jwt.aud} is not ${did}` }, { status: 401 })
        }
      } else if (!opts.allowAnonymous) {
        return Response.json({ error: 'AuthMissing', message: 'Authentication Required' }, { status: 401 })
      }
      calls.push(call)
      const handler = handlers.get(nsid)
      if (!handler) return Response.json({ error: 'MethodNotImplemented', message: `fake has no ${nsid}` }, { status: 501 })
      return handler(call)
    },
  })
  port = server.port!
  did = `did:web:localhost%3A${port}`
  return {
    url: `http://localhost:${port}`,
    did,
    serviceId: opts.serviceId,
    calls,
    on: (nsid, handler) => void handlers.set(nsid, handler),
    skipAuth: (nsid) => void unchecked.add(nsid),
    close: () => void server.stop(true),
  }
}

/** The services the PDS talks to (AppView, feed generator, reports, chat, Ozone), all checking JWTs with the same key resolver. */
export function startFakeServices(resolveDidKey: FakeServiceOptions['resolveDidKey']) {
  const appView = startFakeService({ serviceId: '#bsky_appview', serviceType: 'BskyAppView', resolveDidKey })
  const feedGen = startFakeService({ serviceId: '#bsky_fg', serviceType: 'BskyFeedGenerator', resolveDidKey })
  const reports = startFakeService({ serviceId: '#atproto_labeler', serviceType: 'AtprotoLabeler', resolveDidKey })
  const chat = startFakeService({ serviceId: '#bsky_chat', serviceType: 'BskyChatService', resolveDidKey })
  const ozone = startFakeService({ serviceId: '#atproto_labeler', serviceType: 'AtprotoLabeler', resolveDidKey })
  return {
    appView,
    feedGen,
    reports,
    chat,
    ozone,
    /** PDS_* variables pointing the server at the fakes. */
    env: {
      PDS_BSKY_APP_VIEW_URL: appView.url,
      PDS_BSKY_APP_VIEW_DID: appView.did,
      PDS_REPORT_SERVICE_URL: reports.url,
      PDS_REPORT_SERVICE_DID: reports.did,
    },
    close() {
      for (const s of [appView, feedGen, reports, chat, ozone]) s.close()
    },
  }
}
