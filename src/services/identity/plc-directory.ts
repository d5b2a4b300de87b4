// A PLC directory server that validates operations as plc.directory does (signature by a rotation key
// of the previous op, prev chain, DID derivation, tombstones). Mounted under /_plc in dev mode, and
// run standalone by the tests. Simplification: it accepts only ops that extend the current head
// (no 72-hour fork recovery / nullification).
import { PlcOperationStore, type PlcOpRow } from '../../storage/plc-operations.ts'
import { isValidDid } from '../../core/syntax/index.ts'
import {
  assertWellFormedOp,
  cidForOp,
  didForGenesisOp,
  formatDidDoc,
  opToData,
  PlcOpError,
  verifyOpSignature,
  type PlcOperation,
  type SignedPlcOp,
} from './plc-ops.ts'

export class PlcDirectory {
  private readonly store: PlcOperationStore

  constructor(path: string) {
    this.store = PlcOperationStore.open(path)
  }

  close() {
    this.store.close()
  }

  private ops(did: string): PlcOpRow[] {
    return this.store.ops(did)
  }

  /** Validates and appends an operation; throws PlcOpError with a message for the client. */
  submit(did: string, raw: unknown): void {
    const op = assertWellFormedOp(raw)
    const log = this.ops(did)
    const head = log.at(-1)
    if (!head) {
      if (op.type !== 'plc_operation' || op.prev !== null) throw new PlcOpError('genesis operation must have prev null')
      if (didForGenesisOp(op) !== did) throw new PlcOpError('genesis operation does not match DID identifier')
      if (!verifyOpSignature(op, op.rotationKeys)) throw new PlcOpError('invalid signature on genesis operation')
    } else {
      const headOp = JSON.parse(head.operation) as SignedPlcOp
      if (headOp.type === 'plc_tombstone') throw new PlcOpError('DID is tombstoned')
      if (op.prev !== head.cid) throw new PlcOpError('operation prev does not reference the latest operation')
      if (!verifyOpSignature(op, headOp.rotationKeys)) throw new PlcOpError('invalid signature: not signed by a rotation key of the previous operation')
    }
    // Ops in the same millisecond keep their order through rowid (see ops()).
    const createdAt = new Date().toISOString()
    this.store.append(did, cidForOp(op), JSON.stringify(op), createdAt)
  }

  lastOp(did: string): SignedPlcOp | null {
    const head = this.ops(did).at(-1)
    return head ? (JSON.parse(head.operation) as SignedPlcOp) : null
  }

  /** Serves GET /:did, /:did/data, /:did/log, /:did/log/last, /:did/log/audit and POST /:did. */
  async handle(req: Request, path: string): Promise<Response> {
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
        this.submit(did, body)
      } catch (err) {
        if (err instanceof PlcOpError) return Response.json({ message: err.message }, { status: 400 })
        throw err
      }
      return new Response(null, { status: 200 })
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return Response.json({ message: 'method not allowed' }, { status: 405 })
    const log = this.ops(did)
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
}

/** An Elysia plugin mounting a directory under `prefix` (dev mode's /_plc). */
export function plcDirectoryPlugin(directory: PlcDirectory, prefix = '/_plc') {
  return (app: { all: (path: string, fn: (ctx: { request: Request }) => unknown, opts?: unknown) => unknown }) => {
    const serve = ({ request }: { request: Request }) => directory.handle(request, new URL(request.url).pathname.slice(prefix.length))
    app.all(prefix, serve, { parse: 'none' })
    app.all(`${prefix}/*`, serve, { parse: 'none' })
  }
}
