// The atproto account-migration flow, driven from the new PDS's side: every step first asks both
// servers what is already done, so a migration stopped anywhere (Ctrl-C, crash, waiting for the
// emailed PLC token) is finished by running the same command again.
// Flow: https://atproto.com/guides/account-migration
// Shared by `pds migrate` (cli/commands/migrate.ts) and the account app's wizard (src/web/account/move-here*).
import { readCar } from '../../core/car.ts'
import { decodeCommit } from '../../core/commit.ts'
import { MigrationError } from './errors.ts'
import { AccountSession, type SessionInfo } from './account-session.ts'
import { XrpcClient, XrpcResponseError } from './xrpc-client.ts'
import { chooseHandle, confirmHandle } from './handle-choice.ts'

export { chooseHandle, confirmHandle } from './handle-choice.ts'

export const MIGRATION_STEPS = ['account', 'repo', 'blobs', 'preferences', 'plc', 'activate', 'deactivate-old'] as const
export type MigrationStep = (typeof MIGRATION_STEPS)[number]

export type MigrationOptions = {
  /** The old PDS and ours (both base URLs). */
  from: XrpcClient
  to: XrpcClient
  /** Handle (or DID / email) of the account on the old PDS. */
  identifier: string
  password: string
  /** The sign-in code the old server emailed (its email two-factor), when it asks for one. */
  authFactorToken?: string
  newHandle?: string
  email?: string
  inviteCode?: string
  plcToken?: string
  stopAfter?: MigrationStep
  /** Called after the PLC token was emailed; returns the pasted token, or null to stop and let the user re-run. */
  askPlcToken?: (email: string | undefined) => Promise<string | null>
  onStep?: (message: string) => void
  onProgress?: (label: string, done: number, total: number) => void
}

export type MigrationReport = {
  did: string
  handle: string
  /** Why the handle here differs from the old one, or that a custom domain was kept. */
  handleNote?: string
  /** Everything done: the account lives here now. */
  done: boolean
  /** Set when the run stopped to wait for the emailed PLC token (re-run with --plc-token). */
  waitingFor?: 'plc-token'
  stoppedAfter?: MigrationStep
  steps: Partial<Record<MigrationStep, string>>
  blobs: { uploaded: number; failed: string[] }
}

type ServerDescription = { did: string; availableUserDomains: string[]; inviteCodeRequired?: boolean }
type AccountStatus = { activated: boolean; validDid: boolean; repoCommit: string; expectedBlobs: number; importedBlobs: number }

export async function migrateAccount(opts: MigrationOptions): Promise<MigrationReport> {
  const step = opts.onStep ?? (() => {})
  const old = await AccountSession.login(opts.from, opts.identifier, opts.password, opts.authFactorToken).catch((err) => {
    if (err instanceof XrpcResponseError && err.error === 'AuthFactorTokenRequired') {
      throw new MigrationError(`${opts.from.baseUrl} emailed a sign-in code to the account's address: give it to go on`, 'input', 'authFactorToken')
    }
    throw describeFailure(err, `cannot log in to ${opts.from.baseUrl} as ${opts.identifier}`)
  })
  const did = old.info.did
  const [oldServer, newServer] = await Promise.all([describe(opts.from), describe(opts.to)])
  if (oldServer.did === newServer.did && opts.from.baseUrl === opts.to.baseUrl) throw new MigrationError('the old server is this server', 'input')
  let handle = chooseHandle(old.info.handle, oldServer.availableUserDomains, newServer.availableUserDomains, opts.newHandle)
  const report: MigrationReport = { did, handle, done: false, steps: {}, blobs: { uploaded: 0, failed: [] } }
  const stop = (at: MigrationStep) => {
    if (opts.stopAfter !== at) return false
    report.stoppedAfter = at
    return true
  }

  // 1. The account here: created deactivated, with the same DID, on the old server's word (service auth).
  let ours = await AccountSession.login(opts.to, did, opts.password).catch((err) => {
    if (err instanceof XrpcResponseError && err.status === 401) return null
    throw err
  })
  if (ours) {
    report.steps.account = 'already exists here'
  } else {
    if (!opts.newHandle) {
      const confirmed = await confirmHandle(opts.to, did, handle, newServer.availableUserDomains)
      if (confirmed.note) step(`Handle: ${confirmed.note}`)
      report.handleNote = confirmed.note
      handle = confirmed.handle
    }
    ours = await createAccountHere(opts, old, newServer, did, handle)
    report.steps.account = `created as ${handle} (deactivated until the move completes)`
  }
  report.handle = ours.info.handle
  step(`Account: ${report.steps.account}`)
  if (stop('account')) return report
  let status = await ours.run((c) => c.query<AccountStatus>('com.atproto.server.checkAccountStatus'))

  // 2. The repo, unless the commit here already holds the same tree. An active account here is
  // live: never overwrite it.
  if (status.activated) report.steps.repo = 'skipped: the account is already active here'
  else report.steps.repo = await copyRepo(old, ours, did, (m) => step(m))
  step(`Repo: ${report.steps.repo}`)
  if (stop('repo')) return report

  // 3. Blobs the imported records name and we lack; listMissingBlobs is the resume point.
  report.blobs = await copyBlobs(old, ours, did, opts.onProgress)
  report.steps.blobs = `${report.blobs.uploaded} copied${report.blobs.failed.length ? `, ${report.blobs.failed.length} unavailable on the old server` : ''}`
  step(`Blobs: ${report.steps.blobs}`)
  if (stop('blobs')) return report

  // 4. Preferences (private state the repo does not carry), until the move is complete.
  // A server that refuses them on a deactivated account gets them right after activation instead.
  let prefsDeferred = false
  if (status.activated && old.info.active === false) report.steps.preferences = 'skipped: the move is already complete'
  else {
    const preferences = await readPreferences(old)
    prefsDeferred = !(await writePreferences(ours, preferences, { deferIfDeactivated: true }))
    report.steps.preferences = prefsDeferred ? 'deferred until the account is active here' : `${preferences.length} copied`
  }
  step(`Preferences: ${report.steps.preferences}`)
  if (stop('preferences')) return report

  // 5. Identity: the DID document names our endpoint, signing key and rotation key.
  if (status.validDid) report.steps.plc = 'the DID document already points here'
  else {
    const outcome = await updateIdentity(opts, old, ours, did)
    if (outcome === 'waiting') {
      report.waitingFor = 'plc-token'
      report.steps.plc = `waiting for the token emailed by ${opts.from.baseUrl}`
      return report
    }
    report.steps.plc = 'updated: the DID document now points here'
  }
  step(`Identity: ${report.steps.plc}`)
  if (stop('plc')) return report

  // 6–7. Switch over: active here, deactivated there.
  status = await ours.run((c) => c.query<AccountStatus>('com.atproto.server.checkAccountStatus'))
  if (!status.validDid) throw new MigrationError(`the DID document of ${did} does not point at ${opts.to.baseUrl} yet; not activating`, 'failed')
  if (status.activated) report.steps.activate = 'already active here'
  else {
    await ours.run((c) => c.procedure('com.atproto.server.activateAccount'))
    report.steps.activate = 'activated'
  }
  step(`Activate: ${report.steps.activate}`)
  if (prefsDeferred) {
    const preferences = await readPreferences(old)
    await writePreferences(ours, preferences, { deferIfDeactivated: false })
    report.steps.preferences = `${preferences.length} copied after activation`
    step(`Preferences: ${report.steps.preferences}`)
  }
  if (stop('activate')) return report

  const oldInfo = await old.run((c) => c.query<{ active?: boolean }>('com.atproto.server.getSession'))
  if (oldInfo.active === false) report.steps['deactivate-old'] = 'already deactivated'
  else {
    await old.run((c) => c.procedure('com.atproto.server.deactivateAccount', {}))
    report.steps['deactivate-old'] = 'deactivated'
  }
  step(`Old account: ${report.steps['deactivate-old']}`)
  report.done = true
  return report
}

async function describe(client: XrpcClient): Promise<ServerDescription> {
  return client.withAuthorization(undefined).query<ServerDescription>('com.atproto.server.describeServer')
}

async function createAccountHere(opts: MigrationOptions, old: AccountSession, newServer: ServerDescription, did: string, handle: string): Promise<AccountSession> {
  const email = opts.email ?? old.info.email
  if (!email) throw new MigrationError('the old server did not say the account email: give the email for the account here', 'input', 'email')
  if (newServer.inviteCodeRequired && !opts.inviteCode) throw new MigrationError('this server requires an invite code', 'input', 'inviteCode')
  // Only the DID's current PDS can vouch for it: a service JWT for exactly this audience and method.
  const { token } = await old.run((c) =>
    c.query<{ token: string }>('com.atproto.server.getServiceAuth', { aud: newServer.did, lxm: 'com.atproto.server.createAccount' }),
  )
  const created = await opts.to
    .withAuthorization(`Bearer ${token}`)
    .procedure<SessionInfo>('com.atproto.server.createAccount', { did, handle, email, password: opts.password, inviteCode: opts.inviteCode })
    .catch((err) => {
      throw describeFailure(err, `cannot create ${did} on ${opts.to.baseUrl}`)
    })
  return AccountSession.fromTokens(opts.to, did, opts.password, { ...created, email })
}

/** The MST root a repo's current commit points at: equal roots mean equal record sets. */
async function commitDataRoot(client: XrpcClient, did: string): Promise<string | null> {
  const latest = await client.query<{ cid: string }>('com.atproto.sync.getLatestCommit', { did }).catch(() => null)
  if (!latest) return null
  const { bytes } = await client.queryBytes('com.atproto.sync.getBlocks', { did, cids: [latest.cid] })
  const block = readCar(bytes).blocks.get(latest.cid)
  return block ? decodeCommit(block.bytes).data.toString() : null
}

async function copyRepo(old: AccountSession, ours: AccountSession, did: string, step: (m: string) => void): Promise<string> {
  const [theirs, mine] = await Promise.all([old.run((c) => commitDataRoot(c, did)), ours.run((c) => commitDataRoot(c, did))])
  if (theirs && theirs === mine) return 'already imported (same records as the old server)'
  step('Repo: downloading from the old server…')
  const car = await old.run((c) => c.queryBytes('com.atproto.sync.getRepo', { did }))
  step(`Repo: importing ${car.bytes.length} bytes…`)
  await ours.run((c) => c.procedure('com.atproto.repo.importRepo', car.bytes, 'application/vnd.ipld.car'))
  return `imported (${car.bytes.length} bytes)`
}

async function readPreferences(old: AccountSession): Promise<unknown[]> {
  return (await old.run((c) => c.query<{ preferences: unknown[] }>('app.bsky.actor.getPreferences'))).preferences
}

/** False when the server refused because the account is deactivated here (and deferring is allowed). */
async function writePreferences(ours: AccountSession, preferences: unknown[], opts: { deferIfDeactivated: boolean }): Promise<boolean> {
  try {
    await ours.run((c) => c.procedure('app.bsky.actor.putPreferences', { preferences }))
    return true
  } catch (err) {
    if (opts.deferIfDeactivated && err instanceof XrpcResponseError && err.error === 'AccountDeactivated') return false
    throw err
  }
}

async function listMissingBlobs(ours: AccountSession): Promise<string[]> {
  const cids: string[] = []
  let cursor: string | undefined
  do {
    const page = await ours.run((c) => c.query<{ cursor?: string; blobs: Array<{ cid: string }> }>('com.atproto.repo.listMissingBlobs', { limit: 1000, cursor }))
    cids.push(...page.blobs.map((b) => b.cid))
    cursor = page.blobs.length ? page.cursor : undefined
  } while (cursor)
  return cids
}

async function copyBlobs(old: AccountSession, ours: AccountSession, did: string, onProgress?: MigrationOptions['onProgress']): Promise<MigrationReport['blobs']> {
  const missing = await listMissingBlobs(ours)
  const result: MigrationReport['blobs'] = { uploaded: 0, failed: [] }
  for (const [i, cid] of missing.entries()) {
    onProgress?.('Blobs', i, missing.length)
    const blob = await old.run((c) => c.queryBytes('com.atproto.sync.getBlob', { did, cid })).catch((err) => {
      // A blob the old server lost (or took down) must not block the move; it is reported.
      if (err instanceof XrpcResponseError && (err.status === 400 || err.status === 404)) return null
      throw err
    })
    if (!blob) {
      result.failed.push(cid)
      continue
    }
    await ours.run((c) => c.procedure('com.atproto.repo.uploadBlob', blob.bytes, blob.contentType ?? 'application/octet-stream'))
    result.uploaded++
  }
  onProgress?.('Blobs', missing.length, missing.length)
  return result
}

/** Old server signs (after its emailed token) the operation our server recommends; we submit it. */
async function updateIdentity(opts: MigrationOptions, old: AccountSession, ours: AccountSession, did: string): Promise<'updated' | 'waiting'> {
  const credentials = await ours.run((c) => c.query<Record<string, unknown>>('com.atproto.identity.getRecommendedDidCredentials'))
  if (!did.startsWith('did:plc:')) {
    throw new MigrationError(
      `${did} is not a did:plc: publish these values in its DID document yourself, then re-run:\n${JSON.stringify(credentials, null, 2)}`,
      'refused',
    )
  }
  let token = opts.plcToken
  if (!token) {
    await old.run((c) => c.procedure('com.atproto.identity.requestPlcOperationSignature'))
    token = (await opts.askPlcToken?.(old.info.email)) ?? undefined
    if (!token) return 'waiting'
  }
  const { operation } = await old
    .run((c) => c.procedure<{ operation: unknown }>('com.atproto.identity.signPlcOperation', { token: token.trim(), ...credentials }))
    .catch((err) => {
      throw describeFailure(err, 'the old server refused to sign the PLC operation (is the token right and recent?)')
    })
  await ours.run((c) => c.procedure('com.atproto.identity.submitPlcOperation', { operation }))
  return 'updated'
}

function describeFailure(err: unknown, context: string): Error {
  if (err instanceof XrpcResponseError) return new MigrationError(`${context}: ${err.message}`, 'failed')
  return err as Error
}
