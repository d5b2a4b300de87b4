// Disaster recovery: an account whose server is gone comes back here from a repo CAR (an earlier getRepo
// or `pds export`) and a PLC rotation key of its DID (the person's own, or the one the old server listed).
// Everything that can refuse is checked before anything changes: the CAR verifies against a signing key
// the DID has had, the key is a rotation key of the DID, the DID is not hosted here yet.
// Then: a short-lived key of ours goes into the DID document so that we can vouch for the DID to
// createAccount (the standard migration's service auth), the repo is imported (and re-signed here),
// the DID document is pointed at this server's signing key and endpoint (keeping the person's rotation
// key first), blobs are uploaded, and the account is activated (#identity, #account, #sync).
// Shared by `pds restore-account` and the account app's "Restore an account" view.
import { importKeypair, Secp256k1Keypair, verifySignature, type Keypair } from '../../core/crypto/index.ts'
import { verifyRepoCar } from '../../core/repo/verify.ts'
import { PlcClient, PlcClientError } from '../identity/plc-client.ts'
import { cidForOp, signPlcOp, type PlcOperation, type UnsignedPlcOperation } from '../identity/plc-ops.ts'
import { createServiceJwt } from '../service-auth/jwt.ts'
import { readCar } from '../../core/car.ts'
import { decodeCommit } from '../../core/commit.ts'
import { MigrationError } from './errors.ts'
import { AccountSession, type SessionInfo } from './account-session.ts'
import { XrpcClient, XrpcResponseError } from './xrpc-client.ts'

export type RestoreOptions = {
  /** This server, with admin authorization. */
  admin: XrpcClient
  plcUrl: string
  carBytes: Uint8Array
  /** A private key (secp256k1 or P-256): 64 hex digits, or its 32 raw bytes. */
  rotationKey: string | Uint8Array
  /** The bytes of a blob by CID, when the person has it (null: listed as missing). */
  readBlob?: (cid: string) => Uint8Array | null
  handle?: string
  email: string
  password: string
  inviteCode?: string
  onStep?: (message: string) => void
}

export type RestoreReport = {
  did: string
  handle: string
  records: number
  blobs: { uploaded: number; missing: string[] }
  rotationKey: string
}

type ServerDescription = { did: string; availableUserDomains: string[] }

/** The rotation key the person gave, read as whichever curve the DID lists. */
export function readRotationKey(given: string | Uint8Array, listed: string[]): Keypair {
  const material = typeof given === 'string' ? given.trim() : given
  if (typeof material === 'string' && !/^[0-9a-fA-F]{64}$/.test(material)) {
    throw new MigrationError('the rotation key must be a 32-byte private key in hex (64 characters 0-9, a-f)', 'input', 'rotationKey')
  }
  if (typeof material !== 'string' && material.length !== 32) throw new MigrationError('the rotation key holds neither hex nor 32 raw bytes', 'input', 'rotationKey')
  const candidates = (['ES256K', 'ES256'] as const).flatMap((alg) => {
    try {
      return [importKeypair(alg, material)]
    } catch {
      return []
    }
  })
  const key = candidates.find((k) => listed.includes(k.did()))
  if (!key) throw new MigrationError(`that key (${candidates.map((k) => k.did()).join(' or ')}) is not a rotation key of the DID (its rotation keys: ${listed.join(', ')})`, 'refused', 'rotationKey')
  return key
}

async function plcCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof PlcClientError) throw new MigrationError(`PLC directory: ${what}: ${err.message}`, err.status === 0 ? 'unavailable' : 'failed')
    throw err
  }
}

/** The atproto signing keys the DID has had (newest first): the CAR may predate a key rotation. */
async function signingKeysOf(plcUrl: string, did: string): Promise<string[]> {
  const res = await fetch(new URL(`${encodeURIComponent(did)}/log`, plcUrl.endsWith('/') ? plcUrl : `${plcUrl}/`)).catch(() => null)
  if (!res?.ok) return []
  const ops = (await res.json()) as Array<{ verificationMethods?: Record<string, string>; signingKey?: string }>
  return ops
    .map((op) => op.verificationMethods?.atproto ?? op.signingKey)
    .filter((k): k is string => typeof k === 'string')
    .reverse()
}

export async function restoreAccount(opts: RestoreOptions): Promise<RestoreReport> {
  const step = opts.onStep ?? (() => {})
  const plc = new PlcClient(opts.plcUrl)
  let did: string
  try {
    const car = readCar(opts.carBytes)
    const root = car.roots[0] && car.blocks.get(car.roots[0].toString())
    if (!root) throw new Error('no commit block at its root')
    did = decodeCommit(root.bytes).did
  } catch (err) {
    throw new MigrationError(`the CAR file is not a repo: ${(err as Error).message}`, 'input', 'car')
  }
  if (!did.startsWith('did:plc:')) throw new MigrationError(`${did} is not a did:plc: only did:plc accounts are restored with a rotation key`, 'input', 'car')

  // 1. Everything that can refuse, before anything changes.
  const data = await plcCall(`cannot read ${did}`, () => plc.getDocumentData(did))
  const rotationKey = readRotationKey(opts.rotationKey, data.rotationKeys)
  const keys = await signingKeysOf(opts.plcUrl, did)
  const current = data.verificationMethods.atproto
  if (current && !keys.includes(current)) keys.unshift(current)
  let records = 0
  const verified = keys.some((key) => {
    try {
      records = verifyRepoCar(opts.carBytes, did, (bytes, sig) => verifySignature(key, bytes, sig)).records.length
      return true
    } catch {
      return false
    }
  })
  if (!verified) throw new MigrationError(`the CAR does not verify: its commit is not signed by any signing key ${did} has had, or its blocks are incomplete`, 'refused', 'car')
  const hosted = await opts.admin.query('com.atproto.admin.getAccountInfo', { did }).then(
    () => true,
    (err) => {
      if (err instanceof XrpcResponseError && (err.status === 400 || err.status === 404)) return false
      throw err
    },
  )
  if (hosted) throw new MigrationError(`${did} is already hosted on this server`, 'refused')
  const server = await opts.admin.withAuthorization(undefined).query<ServerDescription>('com.atproto.server.describeServer')
  const handle = (opts.handle ?? data.alsoKnownAs.find((a) => a.startsWith('at://'))?.slice(5) ?? '').toLowerCase()
  if (!handle) throw new MigrationError(`${did} names no handle: choose the handle here`, 'input', 'newHandle')
  step(`Checked: the CAR verifies (${records} records), ${rotationKey.did()} is a rotation key of ${did}`)

  // 2. Our short-lived key in the DID document lets us sign the service auth createAccount asks for.
  const vouch = Secp256k1Keypair.create()
  await submit(plc, did, rotationKey, (last) => ({ ...last, verificationMethods: { ...last.verificationMethods, atproto: vouch.did() } }))
  const token = createServiceJwt({ iss: did, aud: server.did, lxm: 'com.atproto.server.createAccount', keypair: vouch })
  const base = opts.admin.withAuthorization(undefined)
  const created = await base
    .withAuthorization(`Bearer ${token}`)
    .procedure<SessionInfo>('com.atproto.server.createAccount', { did, handle, email: opts.email, password: opts.password, inviteCode: opts.inviteCode })
    .catch((err) => {
      throw new MigrationError(`this server refused to create ${did}: ${err instanceof Error ? err.message : String(err)}`, 'failed')
    })
  const account = AccountSession.fromTokens(base, did, opts.password, { ...created, email: opts.email })
  step(`Account: created as ${handle} (deactivated until restored)`)

  // 3. The repo, re-signed here with the account's new key.
  await account.run((c) => c.procedure('com.atproto.repo.importRepo', opts.carBytes, 'application/vnd.ipld.car'))
  step(`Repo: imported (${records} records)`)

  // 4. The DID document: our signing key, endpoint and rotation key; the person's key stays first.
  const credentials = await account.run((c) => c.query<RecommendedCredentials>('com.atproto.identity.getRecommendedDidCredentials'))
  await submit(plc, did, rotationKey, (last) => ({
    ...last,
    rotationKeys: [rotationKey.did(), ...credentials.rotationKeys.filter((k) => k !== rotationKey.did()), ...last.rotationKeys.filter((k) => k !== rotationKey.did() && !credentials.rotationKeys.includes(k))],
    verificationMethods: { ...last.verificationMethods, ...credentials.verificationMethods },
    services: { ...last.services, ...credentials.services },
    alsoKnownAs: credentials.alsoKnownAs,
  }))
  step(`Identity: ${did} now points at ${server.did} with a new signing key`)

  // 5. Blobs named by CID in --blobs; the rest are listed.
  const blobs = await uploadBlobs(account, opts.readBlob)
  step(`Blobs: ${blobs.uploaded} uploaded${blobs.missing.length ? `, ${blobs.missing.length} missing` : ''}`)

  // 6. Active: #identity, #account and #sync on the firehose.
  await account.run((c) => c.procedure('com.atproto.server.activateAccount'))
  step('Activated')
  return { did, handle, records, blobs, rotationKey: rotationKey.did() }
}

type RecommendedCredentials = {
  rotationKeys: string[]
  alsoKnownAs: string[]
  verificationMethods: Record<string, string>
  services: Record<string, { type: string; endpoint: string }>
}

/** Signs the next operation (built from the last one) with the person's rotation key and sends it. */
async function submit(plc: PlcClient, did: string, key: Keypair, change: (last: UnsignedPlcOperation) => UnsignedPlcOperation): Promise<void> {
  const last = await plcCall(`cannot read ${did}'s log`, () => plc.getLastOp(did))
  if (last.type !== 'plc_operation') throw new MigrationError(`${did} is tombstoned or uses a legacy operation; it cannot be restored`, 'refused')
  const { sig: _sig, ...lastUnsigned } = last as PlcOperation
  const next = change({ ...lastUnsigned, prev: cidForOp(last) })
  await plcCall(`the operation for ${did} was refused`, () => plc.sendOperation(did, signPlcOp(next, key)))
}

async function uploadBlobs(account: AccountSession, readBlob: RestoreOptions['readBlob']): Promise<RestoreReport['blobs']> {
  const missing: string[] = []
  let cursor: string | undefined
  do {
    const page = await account.run((c) => c.query<{ cursor?: string; blobs: Array<{ cid: string }> }>('com.atproto.repo.listMissingBlobs', { limit: 1000, cursor }))
    missing.push(...page.blobs.map((b) => b.cid))
    cursor = page.blobs.length ? page.cursor : undefined
  } while (cursor)
  const result: RestoreReport['blobs'] = { uploaded: 0, missing: [] }
  for (const cid of missing) {
    const bytes = readBlob?.(cid) ?? null
    if (!bytes) {
      result.missing.push(cid)
      continue
    }
    await account.run((c) => c.procedure('com.atproto.repo.uploadBlob', bytes, 'application/octet-stream'))
    result.uploaded++
  }
  return result
}
