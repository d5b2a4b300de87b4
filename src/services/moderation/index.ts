// The bundled moderation service and labeler (README "Moderation"): an Ozone-shaped service in this
// process, on when the team account (PDS_MOD_TEAM_HANDLE, or `pds moderation enable`) exists.
import { LabelPolicyEditor } from './label-policies.ts'
import { Safelink } from './safelink.ts'
import { Verifications } from './verification.ts'
import { Hosting } from './hosting.ts'
import { Signatures } from './signatures.ts'
import type { Database } from 'bun:sqlite'
import type { Logger } from '../../logger.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { RepoService } from '../repo/service.ts'
import * as team from '../../storage/moderation/team.ts'
import type { ModContext, SubjectStatusPort } from './context.ts'
import { Labeler } from './labeler.ts'
import { readLabelKey, rotateLabelKey, rotationPending, setUpLabeler, type LabelKeyStore, type SetupResult } from './setup.ts'
import { invalidInput } from '../errors.ts'
import { runDueActions } from './jobs.ts'
import { ROLE, type Caller } from './team.ts'
import { Queries } from './queries.ts'
import * as reports from './reports.ts'
import { emitEvent, recoverPendingActs } from './emit.ts'
import { subjectFromInput } from './subject.ts'
import { Team } from './members.ts'
import { Scheduler } from './scheduler.ts'
import { TeamConfig } from './team-config.ts'
import { Reporting, type ReportActionInput } from './reports-service.ts'
import { RemoteSubjects } from './remote.ts'

export type { Caller } from './team.ts'
export { ROLE } from './team.ts'

export type ModerationDeps = {
  db: Database
  log: Logger
  accounts: AccountService
  repo: RepoService
  applySubjectStatus: SubjectStatusPort
  keys: LabelKeyStore
  /** PDS_MOD_TEAM_HANDLE */
  teamHandle?: string
  publicUrl: string
  /** Dev mode: other servers' records may be read from loopback and plain-http hosts (remote.ts). */
  devMode?: boolean
  /** How often the background job looks for ended takedowns and due scheduled actions. */
  jobIntervalMs?: number
}

const TEAM_DID = 'team_did'

export class ModerationService {
  readonly labeler: Labeler
  readonly ctx: ModContext
  readonly queries: Queries
  readonly team: Team
  readonly scheduler: Scheduler
  /** The labeler record's declared labels (the console's label page). */
  readonly labelPolicies: LabelPolicyEditor
  /** URL safety rules (tools.ozone.safelink). */
  readonly safelink: Safelink
  /** Verifications granted from the team lead's repo (tools.ozone.verification). */
  readonly verifications: Verifications
  /** Account histories and signatures from what this server keeps (tools.ozone.hosting/signature). */
  readonly hosting: Hosting
  readonly signatures: Signatures
  /** Email templates, settings and sets (tools.ozone.communication/setting/set). */
  readonly config: TeamConfig
  /** Reports as rows: queues, routing, activities, assignments, statistics (tools.ozone.report/queue). */
  readonly reporting: Reporting
  /** Tests move the clock forward to end timed takedowns. */
  clockOffsetMs = 0
  private timer?: ReturnType<typeof setInterval>
  private running?: Promise<unknown>

  readonly db: Database

  constructor(private readonly deps: ModerationDeps) {
    this.db = deps.db
    const now = () => new Date(Date.now() + this.clockOffsetMs)
    this.labeler = new Labeler(deps.db, () => this.issuer(), now)
    this.ctx = {
      db: deps.db,
      log: deps.log,
      accounts: deps.accounts,
      repo: deps.repo,
      labeler: this.labeler,
      applySubjectStatus: deps.applySubjectStatus,
      now,
      teamDid: () => this.teamDid(),
      remote: new RemoteSubjects({ resolveDid: (did) => deps.accounts.didDocFor(did), devMode: deps.devMode ?? false, log: deps.log }),
    }
    this.queries = new Queries(this.ctx)
    this.team = new Team(this.ctx)
    this.scheduler = new Scheduler(this.ctx)
    this.labelPolicies = new LabelPolicyEditor(this.ctx)
    this.safelink = new Safelink(this.ctx)
    this.verifications = new Verifications(this.ctx)
    this.hosting = new Hosting(this.ctx)
    this.signatures = new Signatures(this.ctx)
    this.config = new TeamConfig(this.ctx)
    this.reporting = new Reporting(this.ctx)
  }

  /** The team lead: set by `enable`, else the account PDS_MOD_TEAM_HANDLE names (once it exists). */
  teamDid(): string | null {
    const stored = team.getState(this.deps.db, TEAM_DID)
    if (stored) return stored
    if (!this.deps.teamHandle) return null
    return this.deps.accounts.getAccount(this.deps.teamHandle, { includeDeactivated: true })?.did ?? null
  }

  get enabled(): boolean {
    return this.teamDid() !== null
  }

  private issuerCache?: { did: string; key: NonNullable<ReturnType<typeof readLabelKey>> }
  private issuer() {
    const did = this.teamDid()
    if (!did) return null
    if (this.issuerCache?.did !== did) {
      const key = readLabelKey(this.deps.keys, did)
      if (!key) return null
      this.issuerCache = { did, key }
    }
    return this.issuerCache
  }

  /** The labeler's public key (did:key), once set up. */
  labelKey(): string | null {
    return this.issuer()?.key.did() ?? null
  }

  /** A team member's role; the team lead is always an admin. Null: not on the team (or disabled). */
  callerFor(did: string): Caller | null {
    const lead = this.teamDid()
    if (!lead) return null
    if (did === lead) return { did, role: ROLE.admin }
    const member = team.getMember(this.deps.db, did)
    return member && !member.disabled ? { did, role: member.role } : null
  }

  /** The operator (admin password): acts as the team lead. */
  operator(): Caller | null {
    const lead = this.teamDid()
    return lead ? { did: lead, role: ROLE.admin } : null
  }

  /**
   * Makes an account the team lead and sets up its labeler identity (idempotent). `labelValues`: the
   * values the labeler declares; unset keeps the record's current ones (the defaults the first time).
   */
  async enable(handleOrDid: string, labelValues?: string[]): Promise<SetupResult> {
    const result = await setUpLabeler(this.ctx, this.deps.keys, { handleOrDid, publicUrl: this.deps.publicUrl, labelValues })
    team.setState(this.deps.db, TEAM_DID, result.did)
    this.issuerCache = undefined
    return result
  }

  /**
   * At start (and each tick): a team account named by PDS_MOD_TEAM_HANDLE that is not set up yet gets set
   * up; a label key rotation a crash interrupted is finished.
   */
  async ensureSetUp(): Promise<void> {
    const did = this.teamDid()
    if (did && this.labelKey() && rotationPending(this.deps.keys, did)) {
      await this.rotateLabelKey().catch((err) => this.deps.log.error('could not finish the label key rotation', { did, err }))
    }
    if (!did || this.labelKey()) return
    await this.enable(did).catch((err) => this.deps.log.error('could not set up the moderation team account', { did, err }))
  }

  private rotating?: Promise<{ did: string; labelKey: string; previousKey: string }>

  /**
   * `pds moderation rotate-label-key`: a new #atproto_label key in the team's DID document and on disk.
   * Labels signed with the old key are signed again with the new one as they are next served (labeler.ts).
   */
  rotateLabelKey(): Promise<{ did: string; labelKey: string; previousKey: string }> {
    return (this.rotating ??= this.rotate().finally(() => (this.rotating = undefined)))
  }

  private async rotate() {
    const did = this.teamDid()
    const previousKey = this.labelKey()
    if (!did || !previousKey) throw invalidInput('Moderation is not set up: run `pds moderation enable <handle>` first')
    this.labeler.nameSigningKey(previousKey)
    const labelKey = await rotateLabelKey(this.ctx, this.deps.keys, did)
    this.issuerCache = undefined
    this.deps.log.info('moderation label key rotated', { did, labelKey, previousKey })
    return { did, labelKey, previousKey }
  }

  emitEvent(
    input: { event: Record<string, any>; subject: unknown; subjectBlobCids?: string[]; modTool?: unknown; externalId?: string; reportAction?: ReportActionInput },
    caller: Caller,
  ) {
    const subject = subjectFromInput(input.subject, input.subjectBlobCids)
    const event = { event: input.event, subject, createdBy: caller.did, modTool: input.modTool, externalId: input.externalId }
    return this.reporting.withReportAction(subject, input.reportAction, caller.did, () => emitEvent(this.ctx, event, caller))
  }

  createReport(input: reports.ReportInput, reportedBy: string) {
    return reports.createReport(this.ctx, input, reportedBy)
  }

  // The console's report queue (src/web/admin lists these).
  listReports(q: { status?: reports.ReportStatus; cursor?: string; limit?: number }) {
    return reports.listReports(this.ctx, q)
  }
  // The console names a report by its event; its report row moves with the event.
  resolveReport(reportId: number, by: Caller, comment?: string) {
    return this.actOnReport(reportId, by, () => reports.resolveReport(this.ctx, reportId, by, comment))
  }
  escalateReport(reportId: number, by: Caller, comment?: string) {
    return this.actOnReport(reportId, by, () => reports.escalateReport(this.ctx, reportId, by, comment))
  }
  private async actOnReport<T extends { id: number; type: string }>(eventId: number, by: Caller, act: () => Promise<T>): Promise<T> {
    const row = this.reporting.reportIdForEvent(eventId)
    const report = row === undefined ? undefined : this.reporting.desk.openReport(row)
    if (!report) return act()
    return this.reporting.withReportAction(report, { ids: [report.id] }, by.did, act)
  }

  /** Applies the effects of events a crash interrupted (done at start). */
  recoverPendingActs() {
    return recoverPendingActs(this.ctx)
  }

  /** Runs the background job once (also what the timer does). */
  runDueActions() {
    return (this.running ??= runDueActions(this.ctx).finally(() => (this.running = undefined)))
  }

  start(): void {
    if (this.timer) return
    void this.ensureSetUp()
      .then(() => recoverPendingActs(this.ctx))
      .catch((err) => this.deps.log.error('moderation recovery failed', { err }))
    // Each tick also sets up a team account that PDS_MOD_TEAM_HANDLE named before it existed.
    const tick = () => this.ensureSetUp().then(() => this.runDueActions()).then(() => this.reporting.stats.refreshDue())
    this.timer = setInterval(() => void tick().catch((err) => this.deps.log.error('moderation job failed', { err })), this.deps.jobIntervalMs ?? 30_000)
    this.timer.unref?.()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.running?.catch(() => {})
  }
}
