// Identity changes the user drives (migration in and out, key rotation): recommended credentials,
// PLC operations signed with our rotation key after an emailed token, and checked submission.
import { invalidInput, upstreamFailure } from '../errors.ts'
import { PlcClientError } from '../identity/plc-client.ts'
import { assertWellFormedOp, cidForOp, PlcOpError, signPlcOp, type PlcOperation, type PlcService, type UnsignedPlcOperation } from '../identity/plc-ops.ts'
import { atprotoData } from '../../core/did-doc.ts'
import { assertValidToken } from './email-flows.ts'
import * as emailTokens from '../../storage/account/email-tokens.ts'
import type { AccountsContext } from './context.ts'

const PDS_SERVICE_TYPE = 'AtprotoPersonalDataServer'

async function plcCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof PlcClientError) throw upstreamFailure(`PLC directory: ${err.message}`)
    throw err
  }
}

/** What the DID document should say for this account to be served here. */
export function recommendedDidCredentials(ctx: AccountsContext, did: string) {
  const account = ctx.manager.getAccount(did, { includeDeactivated: true })
  const rotationKeys = [ctx.plcRotationKey.did()]
  if (ctx.config.identity.recoveryDidKey) rotationKeys.unshift(ctx.config.identity.recoveryDidKey)
  return {
    alsoKnownAs: account?.handle ? [`at://${account.handle}`] : undefined,
    verificationMethods: { atproto: ctx.repo().signingKey(did).did() },
    rotationKeys,
    services: { atproto_pds: { type: PDS_SERVICE_TYPE, endpoint: ctx.config.service.publicUrl } },
  }
}

export type PlcOpFields = {
  rotationKeys?: string[]
  alsoKnownAs?: string[]
  verificationMethods?: Record<string, string>
  services?: Record<string, PlcService>
}

/** Consumes the emailed plc_operation token and signs the next operation with our rotation key. */
export async function signPlcOperation(ctx: AccountsContext, did: string, token: string | undefined, fields: PlcOpFields) {
  if (!token) throw invalidInput('email confirmation token required to sign PLC operations')
  assertValidToken(ctx, did, 'plc_operation', token)
  emailTokens.deleteEmailToken(ctx.manager.db, 'plc_operation', did)
  const last = await plcCall(() => ctx.plc.getLastOp(did))
  if (last.type === 'plc_tombstone') throw invalidInput('Did is tombstoned')
  const next: UnsignedPlcOperation = {
    type: 'plc_operation',
    rotationKeys: fields.rotationKeys ?? last.rotationKeys,
    verificationMethods: fields.verificationMethods ?? last.verificationMethods,
    alsoKnownAs: fields.alsoKnownAs ?? last.alsoKnownAs,
    services: fields.services ?? last.services,
    prev: cidForOp(last),
  }
  return signPlcOp(next, ctx.plcRotationKey)
}

/** Checks that an operation keeps the account served here (our rotation key, endpoint, signing key, handle), then sends it. */
export async function submitPlcOperation(ctx: AccountsContext, did: string, raw: unknown) {
  let op: PlcOperation
  try {
    const parsed = assertWellFormedOp(raw)
    if (parsed.type !== 'plc_operation') throw new PlcOpError('not a plc_operation')
    op = parsed
  } catch (err) {
    if (err instanceof PlcOpError) throw invalidInput('Invalid operation')
    throw err
  }
  if (!op.rotationKeys.includes(ctx.plcRotationKey.did())) throw invalidInput("Rotation keys do not include server's rotation key")
  const pds = op.services['atproto_pds']
  if (pds?.type !== PDS_SERVICE_TYPE) throw invalidInput('Incorrect type on atproto_pds service')
  if (pds.endpoint !== ctx.config.service.publicUrl) throw invalidInput('Incorrect endpoint on atproto_pds service')
  if (op.verificationMethods['atproto'] !== ctx.repo().signingKey(did).did()) throw invalidInput('Incorrect signing key')
  const account = ctx.manager.getAccount(did, { includeDeactivated: true })
  if (account?.handle && op.alsoKnownAs[0] !== `at://${account.handle}`) throw invalidInput('Incorrect handle in alsoKnownAs')
  await plcCall(() => ctx.plc.sendOperation(did, op))
  ctx.events().identity(did, account?.handle ?? undefined)
  await ctx.didResolver.refresh(did).catch((err) => ctx.log.error('could not refresh the DID document after a PLC update', { did, err }))
}

/**
 * The DID document names this PDS, the account's signing key and (did:plc) our rotation key, else an
 * InvalidRequest saying what is wrong (the reference's assertValidDidDocumentForService).
 */
export async function assertValidDidDocForService(ctx: AccountsContext, did: string): Promise<void> {
  let contents: { pds?: string; signingKey?: string; rotationKeys?: string[] }
  if (did.startsWith('did:plc:')) {
    const data = await ctx.plc.getDocumentData(did).catch(() => {
      throw invalidInput('Could not resolve DID')
    })
    contents = { pds: data.services['atproto_pds']?.endpoint, signingKey: data.verificationMethods['atproto'], rotationKeys: data.rotationKeys }
  } else {
    const doc = await ctx.didResolver.resolve(did, true).catch(() => null)
    if (!doc) throw invalidInput('Could not resolve DID')
    contents = atprotoData(doc)
  }
  if (contents.rotationKeys && !contents.rotationKeys.includes(ctx.plcRotationKey.did())) {
    throw invalidInput('Server rotation key not included in PLC DID data')
  }
  if (!contents.pds || contents.pds !== ctx.config.service.publicUrl) {
    throw invalidInput('DID document atproto_pds service endpoint does not match PDS public url')
  }
  if (!contents.signingKey || contents.signingKey !== ctx.repo().signingKey(did).did()) {
    throw invalidInput('DID document verification method does not match expected signing key')
  }
}

export async function isValidDidDocForService(ctx: AccountsContext, did: string): Promise<boolean> {
  return assertValidDidDocForService(ctx, did).then(
    () => true,
    () => false,
  )
}

/**
 * Adds verification methods and services to a did:plc document, signed with our rotation key: the
 * operator's own change (the moderation team's labeler key and endpoint), so no emailed token. A no-op
 * when the document already says exactly that.
 */
export async function addDidDocEntries(
  ctx: AccountsContext,
  did: string,
  add: { verificationMethods?: Record<string, string>; services?: Record<string, PlcService> },
): Promise<boolean> {
  if (!did.startsWith('did:plc:')) throw invalidInput('Only did:plc identities can be updated by this server')
  const last = await plcCall(() => ctx.plc.getLastOp(did))
  if (last.type === 'plc_tombstone') throw invalidInput('Did is tombstoned')
  const verificationMethods = { ...last.verificationMethods, ...add.verificationMethods }
  const services = { ...last.services, ...add.services }
  if (JSON.stringify(verificationMethods) === JSON.stringify(last.verificationMethods) && JSON.stringify(services) === JSON.stringify(last.services)) return false
  const op = signPlcOp({ type: 'plc_operation', rotationKeys: last.rotationKeys, alsoKnownAs: last.alsoKnownAs, verificationMethods, services, prev: cidForOp(last) } satisfies UnsignedPlcOperation, ctx.plcRotationKey)
  await plcCall(() => ctx.plc.sendOperation(did, op))
  const account = ctx.manager.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
  ctx.events().identity(did, account?.handle ?? undefined)
  await ctx.didResolver.refresh(did).catch((err) => ctx.log.error('could not refresh the DID document after a PLC update', { did, err }))
  return true
}
