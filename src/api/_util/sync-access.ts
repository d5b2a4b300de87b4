// Shared by the com.atproto.sync.* read handlers: who is asking, whether the repo may be read
// (the reference's assertRepoAvailability), and CAR responses streamed in sensible chunks.
import type { Services } from '../../xrpc/services.ts'
import type { HandlerContext } from '../../xrpc/handler.ts'
import { hasAuthScheme } from '../../xrpc/auth-scheme.ts'
import { InvalidRequestError } from '../../xrpc/errors.ts'
import type { CID } from '../../core/cbor.ts'
import { assertAvailable } from './resolve-repo.ts'

export type SyncCaller = { did?: string; admin: boolean }

/**
 * The reference's authorizationOrAdminTokenOptional with the takendown scope: anyone may call, a
 * token (even of a deactivated or taken-down account) or admin Basic auth identifies the caller, and
 * a bad credential is an error rather than silently anonymous.
 */
export async function syncCaller(ctx: HandlerContext): Promise<SyncCaller> {
  const header = ctx.req.headers.get('authorization')
  if (!header) return { admin: false }
  const request = { req: ctx.req, nsid: ctx.nsid }
  if (hasAuthScheme(header, 'Basic')) {
    await ctx.services.verifyAuth('admin', request)
    return { admin: true }
  }
  const auth = await ctx.services.verifyAuth('accessDeactivated', request)
  return { did: 'did' in auth ? auth.did : undefined, admin: false }
}

export function isUserOrAdmin(caller: SyncCaller, did: string): boolean {
  return caller.admin || caller.did === did
}

/** Throws RepoNotFound / RepoTakendown / RepoDeactivated as the reference does. */
export function assertRepoAvailability(services: Services, handleOrDid: string, isAdminOrSelf: boolean) {
  const account = services.accounts.getAccount(handleOrDid, { includeDeactivated: true, includeTakenDown: true })
  return assertAvailable(account, handleOrDid, isAdminOrSelf)
}

/** The checks every sync read starts with; returns the caller for handlers that need it. */
export async function checkSyncRead(ctx: HandlerContext, did: string): Promise<SyncCaller> {
  const caller = await syncCaller(ctx)
  assertRepoAvailability(ctx.services, did, isUserOrAdmin(caller, did))
  return caller
}

export function repoRootOrThrow(services: Services, did: string, error = 'RepoNotFound'): { cid: CID; rev: string } {
  const root = services.repo.getRepoRoot(did)
  if (!root) throw InvalidRequestError(`Could not find root for DID: ${did}`, error)
  return root
}

/**
 * A CAR (or any byte iterator) as a streamed response. A direct stream: Bun copies each piece into
 * the connection's send buffer as it is written (a pending write is backpressure: the next piece is
 * only pulled once the client has taken the bytes), so a source may hand out the same buffer again
 * and again (core/car.ts CarChunkWriter), and small pieces cost no queue of our own.
 */
export function carResponse(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Response {
  const iterator =
    Symbol.asyncIterator in chunks
      ? (chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (chunks as Iterable<Uint8Array>)[Symbol.iterator]()
  const stream = new ReadableStream({
    type: 'direct',
    async pull(controller) {
      try {
        for (;;) {
          const next = await iterator.next()
          if (next.done) break
          let written = controller.write(next.value)
          if (typeof written !== 'number') written = await written
          // 0: the client went away.
          if (written === 0 && next.value.length > 0) return
        }
        controller.close()
      } finally {
        await iterator.return?.()
      }
    },
    async cancel() {
      await iterator.return?.()
    },
  })
  return new Response(stream as ReadableStream<Uint8Array>, { headers: { 'content-type': 'application/vnd.ipld.car' } })
}
