// Report statistics (getLiveStats, getHistoricalStats, refreshStats, listQueues' stats) with Ozone's
// definitions: per calendar day (UTC), for everything, a queue (-1: no queue), a moderator or some report
// types. Live figures are counted when asked (SQLite answers at once); daily snapshots are kept for the
// history, refreshed by the background job (today's every 15 minutes, yesterday's once it is over).
import * as stats from '../../storage/moderation/report-queues.ts'
import type { StatGroup, StatRow } from '../../storage/moderation/report-queues.ts'
import { forbidden, invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'
import { isAdmin, type Caller } from './team.ts'

const LIVE_TTL_MS = 15 * 60_000
const MAX_REFRESH_DAYS = 366
const DAY_MS = 24 * 3600_000

const R = 'tools.ozone.report.defs#reason'
/**
 * The report type groups Ozone's console asks figures for (its REPORT_TYPE_GROUPS): each gets a daily
 * snapshot, stored under the list exactly as the console sends it.
 */
const REPORT_TYPE_GROUPS: string[][] = [
  ['Spam', 'Violation', 'Misleading', 'Sexual', 'Rude', 'Other', 'Appeal'].map((t) => `com.atproto.moderation.defs#reason${t}`),
  [`${R}Appeal`],
  ['AnimalWelfare', 'Threats', 'GraphicContent', 'SelfHarm', 'Glorification', 'ExtremistContent', 'Trafficking', 'Other'].map((t) => `${R}Violence${t}`),
  ['AbuseContent', 'NCII', 'Sextortion', 'Deepfake', 'Animal', 'Unlabeled', 'Other'].map((t) => `${R}Sexual${t}`),
  ['CSAM', 'Groom', 'MinorPrivacy', 'Endangerment', 'Harassment', 'Promotion', 'Other'].map((t) => `${R}ChildSafety${t}`),
  ['Troll', 'Targeted', 'HateSpeech', 'Doxxing', 'Other'].map((t) => `${R}Harassment${t}`),
  ['Bot', 'Impersonation', 'Spam', 'Scam', 'SyntheticContent', 'Misinformation', 'Other'].map((t) => `${R}Misleading${t}`),
  ['SiteSecurity', 'StolenContent', 'ProhibitedSales', 'BanEvasion', 'Other'].map((t) => `${R}Rule${t}`),
  ['ElectoralProcess', 'Disclosure', 'Interference', 'Misinformation', 'Impersonation'].map((t) => `${R}Civic${t}`),
]

const dateOf = (d: Date) => d.toISOString().slice(0, 10)
const nextDay = (date: string) => dateOf(new Date(Date.parse(`${date}T00:00:00.000Z`) + DAY_MS))

export type StatsView = {
  pendingCount?: number
  actionedCount?: number
  escalatedCount?: number
  inboundCount?: number
  actionRate?: number
  avgHandlingTimeSec?: number
}

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T

/** The group a stats query names; one moderator's figures are for admins only. */
export function statGroup(caller: Caller, q: { queueId?: number; moderatorDid?: string; reportTypes?: string[] }): StatGroup {
  if (q.moderatorDid && !isAdmin(caller)) throw forbidden('Unauthorized')
  return { queueId: q.queueId ?? null, moderatorDid: q.moderatorDid ?? null, reportTypes: q.reportTypes?.length ? q.reportTypes : null }
}

export class ReportStats {
  constructor(private readonly ctx: ModContext) {}

  /** The figures of one group for one day, counted now. A moderator's have no pending, escalated or rate. */
  compute(date: string, group: StatGroup): StatsView {
    const c = stats.statCounts(this.ctx.db, group, `${date}T00:00:00.000Z`, `${nextDay(date)}T00:00:00.000Z`)
    const avgHandlingTimeSec = c.handlingCount > 0 ? Math.round(c.handlingSum / c.handlingCount) : undefined
    if (group.moderatorDid) return compact({ inboundCount: c.inbound, actionedCount: c.actioned, avgHandlingTimeSec })
    return compact({
      pendingCount: c.pending,
      actionedCount: c.actioned,
      escalatedCount: c.escalated,
      inboundCount: c.inbound,
      actionRate: c.inbound > 0 ? Math.round((c.actioned / c.inbound) * 100) : 0,
      avgHandlingTimeSec,
    })
  }

  /** Today's figures for a group (tools.ozone.report.getLiveStats, a queue's stats). */
  live(group: StatGroup): StatsView & { lastUpdated: string } {
    const now = this.ctx.now()
    return { ...this.compute(dateOf(now), group), lastUpdated: now.toISOString() }
  }

  /** The groups a day's snapshot covers: everything, each enabled queue, no queue, each reviewing member, the type groups. */
  private groups(): StatGroup[] {
    const all: StatGroup = { queueId: null, moderatorDid: null, reportTypes: null }
    const queues = stats.listQueues(this.ctx.db, { enabled: true, limit: 1000 }).map((q) => ({ ...all, queueId: q.id }))
    const members = stats.statGroupMembers(this.ctx.db).map((did) => ({ ...all, moderatorDid: did }))
    const types = REPORT_TYPE_GROUPS.map((reportTypes) => ({ ...all, reportTypes }))
    return [all, ...queues, { ...all, queueId: -1 }, ...members, ...types]
  }

  private snapshot(date: string, groups: StatGroup[]): void {
    const computedAt = this.ctx.now().toISOString()
    this.ctx.db.transaction(() => {
      for (const g of groups) {
        const v = this.compute(date, g)
        stats.putStat(this.ctx.db, {
          computed_at: computedAt,
          date,
          queue_id: g.queueId,
          report_types: g.reportTypes ? JSON.stringify(g.reportTypes) : null,
          moderator_did: g.moderatorDid,
          inbound_count: v.inboundCount ?? null,
          pending_count: v.pendingCount ?? null,
          actioned_count: v.actionedCount ?? null,
          escalated_count: v.escalatedCount ?? null,
          action_rate: v.actionRate ?? null,
          avg_handling_time_sec: v.avgHandlingTimeSec ?? null,
        })
      }
    })()
  }

  /** tools.ozone.report.refreshStats: recomputes each day of the range (all groups, or those queues). */
  refresh(q: { startDate: string; endDate: string; queueIds?: number[] }): void {
    const start = Date.parse(`${q.startDate}T00:00:00.000Z`)
    const end = Date.parse(`${q.endDate}T00:00:00.000Z`)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(q.startDate) || !/^\d{4}-\d{2}-\d{2}$/.test(q.endDate) || Number.isNaN(start) || Number.isNaN(end)) {
      throw invalidInput('startDate and endDate must be dates (YYYY-MM-DD)')
    }
    if (start > end) throw invalidInput('startDate must not be after endDate')
    if ((end - start) / DAY_MS >= MAX_REFRESH_DAYS) throw invalidInput(`Cannot refresh more than ${MAX_REFRESH_DAYS} days at a time`)
    const groups = q.queueIds?.length ? q.queueIds.map((queueId) => ({ queueId, moderatorDid: null, reportTypes: null })) : this.groups()
    for (let t = start; t <= end; t += DAY_MS) this.snapshot(dateOf(new Date(t)), groups)
  }

  /** The background job: today's snapshot when older than 15 minutes, yesterday's once after it ended. */
  refreshDue(): void {
    const now = this.ctx.now()
    const today = dateOf(now)
    const yesterday = dateOf(new Date(now.getTime() - DAY_MS))
    const all: StatGroup = { queueId: null, moderatorDid: null, reportTypes: null }
    const todays = stats.getStat(this.ctx.db, today, all)
    if (!todays || now.getTime() - Date.parse(todays.computed_at) >= LIVE_TTL_MS) this.snapshot(today, this.groups())
    const yesterdays = stats.getStat(this.ctx.db, yesterday, all)
    if (!yesterdays || yesterdays.computed_at < `${today}T00:00:00.000Z`) this.snapshot(yesterday, this.groups())
  }

  /** tools.ozone.report.getHistoricalStats: a group's daily snapshots, newest first. */
  historical(q: { group: StatGroup; startDate?: string; endDate?: string; limit: number; cursor?: string }) {
    let before: { date: string; id: number } | undefined
    if (q.cursor !== undefined) {
      const m = /^(\d{4}-\d{2}-\d{2})::(\d{1,15})$/.exec(q.cursor)
      if (!m) throw invalidInput('Malformed cursor')
      before = { date: m[1]!, id: Number(m[2]) }
    }
    const day = (v?: string) => (v === undefined ? undefined : dateOf(new Date(v)))
    const rows = stats.historicalStats(this.ctx.db, q.group, { startDate: day(q.startDate), endDate: day(q.endDate), before, limit: q.limit })
    const last = rows.at(-1)
    return { stats: rows.map(historicalView), ...(rows.length === q.limit && last ? { cursor: `${last.date}::${last.id}` } : {}) }
  }
}

function historicalView(r: StatRow) {
  return compact({
    date: r.date,
    computedAt: r.computed_at,
    pendingCount: r.pending_count,
    actionedCount: r.actioned_count,
    escalatedCount: r.escalated_count,
    inboundCount: r.inbound_count,
    actionRate: r.action_rate,
    avgHandlingTimeSec: r.avg_handling_time_sec,
  })
}
