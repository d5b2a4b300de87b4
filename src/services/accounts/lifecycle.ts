// Account lifecycle: deactivate, activate, takedown, handle changes and deletion (every trace).
import * as creds from '../../storage/account/credentials.ts'
import * as actors from '../../storage/account/actors.ts'
import { invalidInput, upstreamFailure } from '../errors.ts'
import { PlcClientError } from '../identity/plc-client.ts'
import { signPlcOp, cidForOp, type PlcOperation, type UnsignedPlcOperation } from '../identity/plc-ops.ts'
import { normalizeAndValidateHandle } from './handles.ts'
import type { AccountsContext } from './context.ts'
import { hostedDidWebFor } from './did-web.ts'

export function deactivateAccount(ctx: AccountsContext, did: string, deleteAfter: string | null) {
  actors.setDeactivated(ctx.manager.db, did, new Date().toISOString(), deleteAfter)
  ctx.events().account(did, false, 'deactivated')
}

export function activateAccount(ctx: AccountsContext, did: string) {
  actors.setDeactivated(ctx.manager.db, did, null, null)
  const account = ctx.manager.getAccount(did, { includeTakenDown: true })
  // As the reference: #account (current status), #identity (handle or handle.invalid), #sync.
  const events = ctx.events()
  events.account(did, !account?.takedownRef, account?.takedownRef ? 'takendown' : undefined)
  events.identity(did, account?.handle ?? 'handle.invalid')
  const sync = ctx.repo().syncEventData(did)
  if (sync) events.sync(did, sync)
}

export function setTakedown(ctx: AccountsContext, did: string, takedownRef: string | null) {
  ctx.manager.db.transaction(() => {
    actors.setTakedownRef(ctx.manager.db, did, takedownRef)
    if (takedownRef) creds.deleteRefreshTokensByDid(ctx.manager.db, did)
  })()
  const account = ctx.manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  if (account) ctx.events().account(did, account.active, account.status)
}

/** Removes the account rows, the repo (actor store, key, blobs) and the cached DID document. */
export async function deleteAccount(ctx: AccountsContext, did: string) {
  ctx.manager.forgetRepoRoot(did)
  ctx.manager.db.transaction(() => actors.deleteAccountRows(ctx.manager.db, did))()
  await ctx.repo().deleteRepo(did)
  ctx.didResolver.clear(did)
  ctx.events().account(did, false, 'deleted')
}

/** Changes the handle here and, for a did:plc this server can sign for, in the DID document. */
export async function updateHandle(ctx: AccountsContext, did: string, input: string, opts: { allowReserved?: boolean } = {}) {
  const handle = await normalizeAndValidateHandle(input, {
    domains: ctx.config.identity.serviceHandleDomains,
    did,
    allowReserved: opts.allowReserved,
    resolve: ctx.resolveHandleRemote,
  })
  const existing = ctx.manager.getAccount(handle, { includeDeactivated: true, includeTakenDown: true })
  if (existing && existing.did !== did) throw invalidInput(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  const namesake = ctx.manager.getAccount(hostedDidWebFor(handle), { includeDeactivated: true, includeTakenDown: true })
  if (namesake && namesake.did !== did) throw invalidInput(`Handle already taken: ${handle}`, 'HandleNotAvailable')
  if (did.startsWith('did:plc:')) await updatePlcHandle(ctx, did, handle)
  if (existing?.did !== did) {
    try {
      actors.updateHandle(ctx.manager.db, did, handle)
    } catch (err) {
      if (String((err as Error).message).includes('UNIQUE')) throw invalidInput(`Handle already taken: ${handle}`, 'HandleNotAvailable')
      throw err
    }
  }
  ctx.didResolver.clear(did)
  ctx.events().identity(did, handle)
  return handle
}

async function updatePlcHandle(ctx: AccountsContext, did: string, handle: string) {
  try {
    const last = await ctx.plc.getLastOp(did)
    if (last.type !== 'plc_operation') throw invalidInput('DID is tombstoned')
    const aka = [`at://${handle}`, ...last.alsoKnownAs.filter((a) => !a.startsWith('at://'))]
    if (last.alsoKnownAs[0] === aka[0] && last.alsoKnownAs.length === aka.length) return
    if (!last.rotationKeys.includes(ctx.plcRotationKey.did())) return // not ours to sign; the user updates their DID doc
    const { sig: _sig, ...prevFields } = last
    const next: UnsignedPlcOperation = { ...prevFields, alsoKnownAs: aka, prev: cidForOp(last) }
    await ctx.plc.sendOperation(did, signPlcOp(next, ctx.plcRotationKey) as PlcOperation)
  } catch (err) {
    if (err instanceof PlcClientError) throw upstreamFailure(`PLC directory: ${err.message}`)
    throw err
  }
}
