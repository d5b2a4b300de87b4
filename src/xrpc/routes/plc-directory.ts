// The local PLC directory's HTTP API (plc.directory's routes), mounted under /_plc in dev mode and
// served on its own port by the tests.
import { isValidDid } from '../../core/syntax/index.ts'
import type { PlcDirectory } from '../../services/identity/plc-directory.ts'
import { formatDidDoc, opToData, PlcOpError, type PlcOperation, type SignedPlcOp } from '../../services/identity/plc-ops.ts'
import type { Plugin } from '../app.ts'

/** Serves GET /:did, /:did/data, /:did/log, /:did/log/last, /:did/log/audit and POST /:did. */
export async function handlePlcRequest(directory: PlcDirectory, req: Request, path: string): Promise<Response> {
  const parts = path.replace(/^\/+/, '').split('/').map(decodeURIComponent)
  const did = parts[0] ?? ''
  const rest = parts.slice(1).join('/')
  if (!did) return Response.json({ message: 'pds local PLC directory' })
  if (!did.startsWith('did:plc:') || !isValidDid(did)) return Response.json({ message: `Invalid DID: ${did}` }, { status: 400 })
  if (req.method === 'POST' && rest === '') {
    let body: unknown
    try {
      body = await req.json()
    } catch {
      return Response.json({ message: 'body is not JSON' }, { status: 400 })
    }
    try {
      directory.submit(did, body)
    } catch (err) {
      if (err instanceof PlcOpError) return Response.json({ message: err.message }, { status: 400 })
      throw err
    }
    return new Response(null, { status: 200 })
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return Response.json({ message: 'method not allowed' }, { status: 405 })
  const log = directory.ops(did)
  if (log.length === 0) return Response.json({ message: `DID not registered: ${did}` }, { status: 404 })
  const ops = log.map((r) => JSON.parse(r.operation) as SignedPlcOp)
  const last = ops.at(-1)!
  if (rest === 'log') return Response.json(ops)
  if (rest === 'log/audit') {
    return Response.json(log.map((r) => ({ did, operation: JSON.parse(r.operation), cid: r.cid, nullified: !!r.nullified, createdAt: r.createdAt })))
  }
  if (rest === 'log/last') return Response.json(last)
  if (last.type === 'plc_tombstone') return Response.json({ message: `DID not available: ${did}` }, { status: 410 })
  const data = opToData(did, last as PlcOperation)
  if (rest === 'data') return Response.json(data)
  if (rest === '') return Response.json(formatDidDoc(data), { headers: { 'content-type': 'application/did+ld+json' } })
  return Response.json({ message: 'not found' }, { status: 404 })
}

/** Mounts a directory under `prefix` (dev mode's /_plc). */
export function plcDirectoryRoutes(directory: PlcDirectory, prefix = '/_plc'): Plugin {
  return (app) => {
    const serve = ({ request }: { request: Request }) => handlePlcRequest(directory, request, new URL(request.url).pathname.slice(prefix.length))
    app.all(prefix, (c) => serve(c as { request: Request }), { parse: 'none' })
    app.all(`${prefix}/*`, (c) => serve(c as { request: Request }), { parse: 'none' })
  }
}
