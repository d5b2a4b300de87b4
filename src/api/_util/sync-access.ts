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

/** Small pieces are coalesced up to this size; a piece this big already goes out as it is (no copy). */
const CHUNK_BYTES = 32 * 1024

/** A CAR (or any byte iterator) as a streamed response, small pieces coalesced into >= 32 KiB chunks. */
export function carResponse(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Response {
  const iterator =
    Symbol.asyncIterator in chunks
      ? (chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (chunks as Iterable<Uint8Array>)[Symbol.iterator]()
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Uint8Array[] = []
      let size = 0
      while (size < CHUNK_BYTES) {
        const next = await iterator.next()
        if (next.done) break
        parts.push(next.value)
        size += next.value.length
      }
      if (size > 0) controller.enqueue(parts.length === 1 ? parts[0]! : Buffer.concat(parts))
      if (size < CHUNK_BYTES) controller.close()
    },
    async cancel() {
      await iterator.return?.()
    },
  })
  return new Response(stream, { headers: { 'content-type': 'application/vnd.ipld.car' } })
}
