// The account app's "move your account here": the same steps as `pds migrate` (migrate-account.ts), run
// by this server for a person in a browser. Where each move stands is kept in inbound_migration, so a
// closed tab finds it again and a failure resumes from the step that failed (each step first checks
// what is already done). The password stays in memory for the run only; after a restart it is asked again.
import { randomBytes, createHash } from 'node:crypto'
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import { deleteInboundMigration, deleteStaleInboundMigrations, getInboundMigration, putInboundMigration, type InboundMigrationRow } from '../../storage/account/inbound-migrations.ts'
import { guardedFetch } from '../net/guarded-fetch.ts'
import { invalidInput } from '../errors.ts'
import { MigrationError } from './errors.ts'
import { migrateAccount, type MigrationReport } from './migrate-account.ts'
import { restoreAccount, type RestoreOptions, type RestoreReport } from './restore-account.ts'
import { XrpcClient, XrpcResponseError, type FetchFn } from './xrpc-client.ts'

export type MoveState = 'running' | 'needs-password' | 'needs-code' | 'needs-plc-token' | 'failed' | 'done'
export type MoveProgress = { steps: Partial<MigrationReport['steps']>; blobs?: { done: number; total: number }; handleNote?: string; failedBlobs?: string[] }
export type MoveView = { state: MoveState; fromUrl: string; identifier: string; did: string | null; handle: string | null; progress: MoveProgress; error: string | null }
export type MoveAnswers = { password: string; authFactorToken?: string; email?: string; inviteCode?: string }

/** Wizards untouched this long are forgotten. */
const KEEP_MS = 14 * 24 * 60 * 60 * 1000

export class InboundMigrations {
  private readonly secrets = new Map<string, MoveAnswers>()
  private readonly runs = new Map<string, Promise<void>>()

  constructor(
    private readonly db: Database,
    private readonly opts: {
      /** This server, as migrate-account talks to it: its loopback XRPC address. */
      selfUrl: string
      devMode: boolean
      log: Logger
      /** How the old server is reached (tests may replace it); the guarded fetch by default. */
      fetchOld?: FetchFn
      /** For restores: this server's admin password (getAccountInfo) and its PLC directory. */
      adminPassword: string
      plcUrl: string
    },
  ) {}

  /** A new wizard: the secret goes in the person's cookie, only its hash is stored. */
  static newSecret(): string {
    return randomBytes(24).toString('base64url')
  }

  get(secret: string): MoveView | null {
    const row = getInboundMigration(this.db, idOf(secret))
    if (!row || row.updatedAt < Date.now() - KEEP_MS) return null
    let state = row.state as MoveState
    // A run that was going (or waiting with its password) before a restart needs the password again.
    const lostPassword = (state === 'running' && !this.runs.has(row.id)) || (state === 'needs-plc-token' && !this.secrets.has(row.id))
    if (lostPassword) state = 'needs-password'
    return { state, fromUrl: row.fromUrl, identifier: row.identifier, did: row.did, handle: row.handle, progress: JSON.parse(row.progress), error: row.error }
  }

  /** Begins (or, for an existing wizard, resumes) a move from `fromUrl`. */
  start(secret: string, o: { fromUrl: string; identifier: string } & MoveAnswers): void {
    const fromUrl = normaliseServer(o.fromUrl, this.opts.devMode)
    const identifier = o.identifier.trim().replace(/^@/, '')
    if (!identifier) throw invalidInput('Enter your handle, DID or email on the old server.')
    if (!o.password) throw invalidInput('Enter your password on the old server.')
    const id = idOf(secret)
    if (this.runs.has(id)) return
    const now = Date.now()
    deleteStaleInboundMigrations(this.db, now - KEEP_MS)
    const before = getInboundMigration(this.db, id)
    const same = before && before.fromUrl === fromUrl && before.identifier === identifier
    putInboundMigration(this.db, {
      ...(same ? before : { did: null, handle: null, progress: '{}', createdAt: now }),
      id,
      fromUrl,
      identifier,
      state: 'running',
      error: null,
      updatedAt: now,
    } as InboundMigrationRow)
    this.secrets.set(id, { password: o.password, authFactorToken: o.authFactorToken || undefined, email: o.email || undefined, inviteCode: o.inviteCode || undefined })
    this.launch(id)
  }

  /** The PLC token the old server emailed: the identity switch, activation and the old account's deactivation. */
  finish(secret: string, plcToken: string): void {
    const id = idOf(secret)
    const row = getInboundMigration(this.db, id)
    if (!row || !this.secrets.has(id)) throw invalidInput('This move needs your password again first.')
    if (!plcToken.trim()) throw invalidInput('Enter the code from the email.')
    if (this.runs.has(id)) return
    this.update(id, { state: 'running', error: null })
    this.launch(id, plcToken.trim())
  }

  forget(secret: string): void {
    const id = idOf(secret)
    if (this.runs.has(id)) throw invalidInput('The move is running: wait for the current step to finish.')
    this.secrets.delete(id)
    deleteInboundMigration(this.db, id)
  }

  /** Disaster recovery from a repo CAR and a rotation key of the DID (restore-account.ts), on this server. */
  restore(o: Omit<RestoreOptions, 'admin' | 'plcUrl'>): Promise<RestoreReport> {
    const admin = new XrpcClient(this.opts.selfUrl, `Basic ${Buffer.from(`admin:${this.opts.adminPassword}`).toString('base64')}`)
    return restoreAccount({ ...o, admin, plcUrl: this.opts.plcUrl })
  }

  /** Resolves when the wizard's current run (if any) has stopped; for tests and shutdown. */
  async settled(secret: string): Promise<void> {
    await this.runs.get(idOf(secret))
  }

  private launch(id: string, plcToken?: string) {
    const run = this.run(id, plcToken).finally(() => this.runs.delete(id))
    this.runs.set(id, run)
  }

  private async run(id: string, plcToken?: string): Promise<void> {
    const row = getInboundMigration(this.db, id)!
    const answers = this.secrets.get(id)!
    const progress: MoveProgress = JSON.parse(row.progress)
    const fetchOld: FetchFn = this.opts.fetchOld ?? ((url, init) => guardedFetch(url, init, { allowPrivate: this.opts.devMode, httpsOnly: !this.opts.devMode }))
    try {
      const report = await migrateAccount({
        from: new XrpcClient(row.fromUrl, undefined, fetchOld),
        to: new XrpcClient(this.opts.selfUrl),
        identifier: row.identifier,
        ...answers,
        plcToken,
        onStep: (message) => {
          const [label, ...rest] = message.split(': ')
          progress.steps = { ...progress.steps, [stepKey(label!)]: rest.join(': ') }
          this.update(id, { progress: JSON.stringify(progress) })
        },
        onProgress: (_label, done, total) => {
          progress.blobs = { done, total }
          this.update(id, { progress: JSON.stringify(progress) })
        },
      })
      progress.steps = report.steps
      progress.handleNote = report.handleNote
      progress.failedBlobs = report.blobs.failed
      const state: MoveState = report.done ? 'done' : 'needs-plc-token'
      this.update(id, { did: report.did, handle: report.handle, state, progress: JSON.stringify(progress), error: null })
      if (report.done) this.secrets.delete(id)
    } catch (err) {
      const needsCode = err instanceof MigrationError && err.needs === 'authFactorToken'
      if (needsCode) answers.authFactorToken = undefined
      const state: MoveState = needsCode ? 'needs-code' : 'failed'
      this.update(id, { state, error: describe(err), progress: JSON.stringify(progress) })
      if (!(err instanceof MigrationError)) this.opts.log.warn('a move to this server stopped', { err })
    }
  }

  private update(id: string, change: Partial<InboundMigrationRow>) {
    const row = getInboundMigration(this.db, id)
    if (row) putInboundMigration(this.db, { ...row, ...change, updatedAt: Date.now() })
  }
}

const idOf = (secret: string) => createHash('sha256').update(secret).digest('base64url')

/** migrate-account's step messages begin with a label ("Repo: …"); the wizard keys them by step. */
function stepKey(label: string): string {
  const keys: Record<string, string> = { Account: 'account', Repo: 'repo', Blobs: 'blobs', Preferences: 'preferences', Identity: 'plc', Activate: 'activate', 'Old account': 'deactivate-old', Handle: 'handle' }
  return keys[label] ?? label.toLowerCase()
}

function normaliseServer(input: string, devMode: boolean): string {
  const text = input.trim()
  const withScheme = /^https?:\/\//i.test(text) ? text : `https://${text}`
  if (!URL.canParse(withScheme)) throw invalidInput('Enter the address of your old server, like https://bsky.social.')
  const url = new URL(withScheme)
  if (url.protocol !== 'https:' && !devMode) throw invalidInput('The old server must be reached over https.')
  return url.origin
}

function describe(err: unknown): string {
  if (err instanceof MigrationError) return err.message
  if (err instanceof XrpcResponseError) return `the server answered ${err.error}${err.message ? ` (${err.message})` : ''}`
  return (err as Error)?.message ?? String(err)
}
