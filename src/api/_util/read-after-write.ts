// Read-after-write: the AppView lags behind the repo, so queries the account itself makes about itself get
// its records newer than the AppView's `atproto-repo-rev` merged in (reference: read-after-write/util.ts).
import type { HandlerContext } from '../../xrpc/handler.ts'
import { accessCallerDid } from '../../xrpc/auth.ts'
import { ForbiddenError } from '../../xrpc/errors.ts'
import { getLocalLag } from '../../services/read-after-write/local-records.ts'
import type { MungeFn } from '../../services/read-after-write/munge.ts'
import { LocalViewer } from '../../services/read-after-write/viewer.ts'
import { proxyCall, proxyResponse } from '../../xrpc/proxy-call.ts'

const MAX_MUNGE_BYTES = 10 * 1024 * 1024

/**
 * The caller, whose own newer records are merged in. As on every read path, a deactivated or taken-down
 * account's owner keeps this (the reference checks no account status here); a deleted one has nothing left.
 */
function requesterOf(ctx: HandlerContext): string {
  const did = accessCallerDid(ctx.auth)
  if (!ctx.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })) {
    throw ForbiddenError('Account not found', 'AccountNotFound')
  }
  return did
}

/** Forwards the query as the requester, then merges local records if the AppView is behind. */
export async function pipethroughReadAfterWrite(ctx: HandlerContext, munge: MungeFn): Promise<Response> {
  const requester = requesterOf(ctx)
  const { services } = ctx
  const upstream = await services.proxy.pipethrough(proxyCall(ctx.req, ctx.nsid), { iss: requester })
  const rev = upstream.headers['atproto-repo-rev']
  const type = upstream.headers['content-type']
  if (!rev || (type && !/application\/(?:\w+\+)?json/i.test(type))) return proxyResponse(upstream)
  if (Number(upstream.headers['content-length'] ?? 0) > MAX_MUNGE_BYTES) return proxyResponse(upstream)
  const text = await proxyResponse(upstream).text()
  const passThrough = () => new Response(text, { status: upstream.status, headers: upstream.headers })
  try {
    const original = JSON.parse(text)
    if (!original || typeof original !== 'object') return passThrough()
    const local = services.repo.recordsSinceRev(requester, rev)
    if (local.count === 0) return passThrough()
    const viewer = new LocalViewer({
      did: requester,
      handle: services.accounts.getAccount(requester, { includeDeactivated: true })?.handle ?? 'handle.invalid',
      profile: local.profile?.record ?? localProfile(ctx, requester),
      publicUrl: services.config.service.publicUrl,
      cdnUrlPattern: services.config.bskyAppView?.cdnUrlPattern,
    })
    const body = munge(viewer, original, local, requester)
    const lag = getLocalLag(local)
    const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', 'atproto-repo-rev': rev })
    if (lag !== undefined) headers.set('atproto-upstream-lag', String(lag))
    return new Response(JSON.stringify(body), { status: 200, headers })
  } catch (err) {
    services.log.warn('error in read after write munge', { err, requester })
    return passThrough()
  }
}

function localProfile(ctx: HandlerContext, did: string) {
  return ctx.services.repo.getRecord(did, 'app.bsky.actor.profile', 'self')?.value as Record<string, any> | undefined
}
