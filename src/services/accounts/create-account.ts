// com.atproto.server.createAccount: validate, make the DID and the repo, then write every account row in
// one transaction. Any failure undoes what was made (repo files, PLC genesis by tombstone, rows).
import { z } from 'zod'
import { parseDidKey, Secp256k1Keypair } from '../../core/crypto/index.ts'
import { ReservedKeys } from '../../storage/actor/reserved-keys.ts'
import { authRequired, invalidInput, upstreamFailure } from '../errors.ts'
import * as actors from '../../storage/account/actors.ts'
import * as inviteRows from '../../storage/account/invites.ts'
import * as scrypt from '../auth/scrypt.ts'
import { createGenesisOp, cidForOp, formatDidDoc, opToData, signPlcOp, type PlcOperation } from '../identity/plc-ops.ts'
import { PlcClientError } from '../identity/plc-client.ts'
import { ensureInviteIsAvailable } from './invites.ts'
import { normalizeAndValidateHandle } from './handles.ts'
import type { AccountsContext } from './context.ts'
import { keyFilesFor } from '../repo/keys.ts'
import { deviceRow, NO_PASSWORD, type SessionDevice } from './account-manager.ts'
import { hostedDidWebFor, isHostedDidWeb, publishableDidWebDocument } from './did-web.ts'

export type CreateAccountInput = {
  handle: string
  email?: string
  password?: string
  inviteCode?: string
  did?: string
  recoveryKey?: string
  plcOp?: unknown
}

const emailSchema = z.email()
/** RFC 5321's longest deliverable address (a 256-octet path minus the angle brackets). */
export const MAX_EMAIL_LENGTH = 254

export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && emailSchema.safeParse(email).success
}

/** A recovery key must be a did:key the PLC directory accepts (secp256k1 or P-256): checked before any PLC call. */
function assertValidRecoveryKey(key: string) {
  try {
    parseDidKey(key)
  } catch {
    throw invalidInput('Invalid recoveryKey: expected a did:key of a secp256k1 or P-256 public key')
  }
}

/** passkeyOnly: an account without a password (its passkey is stored by the caller once it exists). */
export async function createAccount(ctx: AccountsContext, input: CreateAccountInput, requesterDid: string | null, opts: { passkeyOnly?: boolean; device?: SessionDevice } = {}) {
  const { config, manager } = ctx
  if (input.plcOp) throw invalidInput('Unsupported input: "plcOp"')
  if (input.password && input.password.length > scrypt.NEW_PASSWORD_MAX_LENGTH) {
    throw invalidInput(`Password too long. Maximum length is ${scrypt.NEW_PASSWORD_MAX_LENGTH} characters.`)
  }
  if (config.invites.required && !input.inviteCode) throw invalidInput('No invite code provided', 'InvalidInviteCode')
  if (!input.email) throw invalidInput('Email is required')
  if (!isValidEmail(input.email)) throw invalidInput('This email address is not supported, please use a different email.')
  if (!input.password && !opts.passkeyOnly) throw invalidInput('Password is required')
  if (input.recoveryKey) assertValidRecoveryKey(input.recoveryKey)
  const email = input.email.toLowerCase()
  const handle = await normalizeAndValidateHandle(input.handle, {
    domains: config.identity.serviceHandleDomains,
    did: input.did,
    resolve: ctx.resolveHandleRemote,
  })
  if (config.invites.required && input.inviteCode) ensureInviteIsAvailable(manager.db, input.inviteCode)
  if (manager.getAccount(handle, { includeDeactivated: true, includeTakenDown: true })) throw invalidInput(`Handle already taken: ${handle}`)
  // The name of a hosted did:web stays its account's (its document is served under that name).
  if (input.did !== hostedDidWebFor(handle) && manager.getAccount(hostedDidWebFor(handle), { includeDeactivated: true, includeTakenDown: true })) {
    throw invalidInput(`Handle already taken: ${handle}`)
  }
  if (manager.getAccountByEmail(email, { includeDeactivated: true, includeTakenDown: true })) throw invalidInput(`Email already taken: ${email}`)

  // A migrating account takes the key its client reserved for it (reserveSigningKey), if any.
  const reserved = new ReservedKeys(config.db.actorStoreDirectory, keyFilesFor(config))
  const signingKey = (input.did && reserved.get(input.did)) || Secp256k1Keypair.create()
  let did: string
  let plcOp: PlcOperation | null = null
  let deactivated = false
  if (input.did && isHostedDidWeb(input.did, config.identity.serviceHandleDomains)) {
    // A did:web this server hosts (its document at https://<handle>/.well-known/did.json): did:web:<handle>.
    if (input.did !== hostedDidWebFor(handle)) throw invalidInput(`A did:web hosted here is named after its handle: use did:web:${handle} with the handle ${handle}`)
    if (input.recoveryKey) throw invalidInput('recoveryKey is a did:plc rotation key; a did:web has none')
    if (manager.getAccount(input.did, { includeDeactivated: true, includeTakenDown: true })) throw invalidInput('Account already exists', 'AccountAlreadyExists')
    did = input.did
  } else if (input.did) {
    // Bringing an existing DID (migration): only its controller may, and the account starts deactivated.
    if (input.did !== requesterDid) throw authRequired(`Missing auth to create account with did: ${input.did}`)
    if (manager.getAccount(input.did, { includeDeactivated: true, includeTakenDown: true })) throw invalidInput('Account already exists', 'AccountAlreadyExists')
    did = input.did
    deactivated = true
  } else {
    const rotationKeys = [ctx.plcRotationKey.did()]
    if (config.identity.recoveryDidKey) rotationKeys.unshift(config.identity.recoveryDidKey)
    if (input.recoveryKey) rotationKeys.unshift(input.recoveryKey)
    ;({ did, op: plcOp } = createGenesisOp({ signingKey: signingKey.did(), rotationKeys, handle, pds: config.service.publicUrl, signer: ctx.plcRotationKey }))
  }

  const passwordScrypt = opts.passkeyOnly || !input.password ? NO_PASSWORD : await scrypt.genSaltAndHash(input.password)
  const repo = ctx.repo()
  const commit = await repo.createRepo(did, signingKey)
  let plcSubmitted = false
  try {
    if (plcOp) {
      await ctx.plc.sendOperation(did, plcOp).catch((err) => {
        if (err instanceof PlcClientError) throw upstreamFailure(`Could not register the DID with the PLC directory: ${err.message}`)
        throw err
      })
      plcSubmitted = true
    }
    const didDoc = plcOp ? formatDidDoc(opToData(did, plcOp)) : deactivated ? await ctx.didResolver.resolve(did, true).catch(() => null) : null
    const now = new Date().toISOString()
    const { accessJwt, refreshJwt, storeRefresh } = await manager.createTokens(did, null, undefined, undefined, opts.device && deviceRow(opts.device, now, now))
    try {
      manager.db.transaction(() => {
        if (input.inviteCode && config.invites.required) {
          ensureInviteIsAvailable(manager.db, input.inviteCode)
          inviteRows.insertInviteUse(manager.db, { code: input.inviteCode, usedBy: did, usedAt: now })
        }
        actors.insertActor(manager.db, { did, handle, createdAt: now, deactivated })
        actors.insertAccount(manager.db, { did, email, passwordScrypt })
        storeRefresh()
        actors.upsertRepoRoot(manager.db, did, commit.cid.toString(), commit.rev)
      })()
    } catch (err) {
      // Two concurrent sign-ups for one handle or email: the unique indexes decide.
      const msg = String((err as Error).message)
      if (msg.includes('UNIQUE') && msg.includes('actor')) throw invalidInput(`Handle already taken: ${handle}`)
      if (msg.includes('UNIQUE') && msg.includes('account')) throw invalidInput(`Email already taken: ${email}`)
      throw err
    }
    reserved.clear(signingKey.did(), did)
    if (!deactivated) {
      // The reference's order: #identity, #account (active), then the genesis #commit and #sync.
      const events = ctx.events()
      events.identity(did, handle)
      events.account(did, true)
      events.commit(commit.commitEvent)
      events.sync(did, commit.syncEvent)
    }
    const doc = didDoc ?? (!plcOp && !deactivated ? publishableDidWebDocument(ctx, did) : null)
    return { handle, did, didDoc: doc ?? undefined, accessJwt, refreshJwt }
  } catch (err) {
    await rollback(ctx, did, plcSubmitted ? plcOp : null)
    throw err
  }
}

async function rollback(ctx: AccountsContext, did: string, plcOp: PlcOperation | null) {
  await ctx.repo().deleteRepo(did).catch((err) => ctx.log.error('createAccount rollback: could not delete repo', { did, err }))
  if (plcOp) {
    const tombstone = signPlcOp({ type: 'plc_tombstone' as const, prev: cidForOp(plcOp) }, ctx.plcRotationKey)
    await ctx.plc.sendOperation(did, tombstone).catch((err) => ctx.log.error('createAccount rollback: could not tombstone DID', { did, err }))
  }
}
