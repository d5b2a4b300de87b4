// The HTTP side of proxying: a client's request becomes the plain ProxyCall the proxy service forwards,
// and the service's ProxyReply becomes the client's response.
import { PROXY_CALL_HEADERS, type ProxyCall, type ProxyReply } from '../services/proxy/proxy-service.ts'

export function proxyCall(req: Request, nsid: string): ProxyCall {
  const url = new URL(req.url)
  const headers: Record<string, string> = {}
  for (const name of PROXY_CALL_HEADERS) {
    const value = req.headers.get(name)
    if (value !== null) headers[name] = value
  }
  return { nsid, method: req.method, pathAndQuery: url.pathname + url.search, headers, body: req.body }
}

export function proxyResponse(reply: ProxyReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers })
}
