// The official @atproto/oauth-client-node set up as a loopback development client against a test server.
import { NodeOAuthClient, requestLocalLock, type NodeSavedSession, type NodeSavedState } from '@atproto/oauth-client-node'

export type MemoryStore<T> = {
  map: Map<string, T>
  get(key: string): Promise<T | undefined>
  set(key: string, value: T): Promise<void>
  del(key: string): Promise<void>
}

export function memoryStore<T>(): MemoryStore<T> {
  const map = new Map<string, T>()
  return { map, get: async (k) => map.get(k), set: async (k, v) => void map.set(k, v), del: async (k) => void map.delete(k) }
}

/** The test server listens on 127.0.0.1 only; "localhost" may resolve to ::1 first. */
export const loopbackFetch = ((input: Request | string | URL, init?: RequestInit) => {
  const req = new Request(input as Request, init)
  const url = new URL(req.url)
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1'
  return fetch(new Request(url.href, req))
}) as typeof fetch

export function loopbackOAuthClient(opts: {
  redirectUri: string
  scope: string
  plcUrl: string
  pdsUrl: string
  sessionStore?: MemoryStore<NodeSavedSession>
}): NodeOAuthClient {
  const { redirectUri, scope } = opts
  return new NodeOAuthClient({
    clientMetadata: {
      client_id: `http://localhost?redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}`,
      redirect_uris: [redirectUri],
      scope,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      dpop_bound_access_tokens: true,
    },
    stateStore: memoryStore<NodeSavedState>(),
    sessionStore: opts.sessionStore ?? memoryStore<NodeSavedSession>(),
    allowHttp: true,
    requestLock: requestLocalLock,
    plcDirectoryUrl: opts.plcUrl,
    handleResolver: opts.pdsUrl,
    fetch: loopbackFetch,
  })
}
