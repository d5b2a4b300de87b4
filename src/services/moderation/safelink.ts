// tools.ozone.safelink.*: URL safety rules (block, warn or whitelist a URL or a whole domain) with an
// audit trail of every change, as Ozone keeps them. Moderators change rules; the whole team reads them.
import { authRequired, invalidInput } from '../errors.ts'
import * as store from '../../storage/moderation/safelink.ts'
import type { SafelinkEventRow, SafelinkRuleRow } from '../../storage/moderation/safelink.ts'
import type { ModContext } from './context.ts'
import { isModerator, type Caller } from './team.ts'

const PATTERNS = new Set(['domain', 'url'])
const ACTIONS = new Set(['block', 'warn', 'whitelist'])
const REASONS = new Set(['csam', 'spam', 'phishing', 'none'])

function oneOf(set: Set<string>, value: unknown, what: string): string {
  if (typeof value !== 'string' || !set.has(value)) throw invalidInput(`Invalid safelink ${what} type`)
  return value
}

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || !url.trim() || url.length > 2048 || /\s/.test(url)) throw invalidInput('The provided URL is invalid', 'InvalidUrl')
  return url
}

type RuleInput = { url: unknown; pattern: unknown; action?: unknown; reason?: unknown; comment?: unknown }

const optional = (comment: unknown) => (typeof comment === 'string' && comment ? comment : null)
const eventView = (e: SafelinkEventRow) => ({
  id: e.id,
  eventType: e.event_type,
  url: e.url,
  pattern: e.pattern,
  action: e.action,
  reason: e.reason,
  createdBy: e.created_by,
  createdAt: e.created_at,
  ...(e.comment ? { comment: e.comment } : {}),
})
const ruleView = (r: SafelinkRuleRow) => ({
  url: r.url,
  pattern: r.pattern,
  action: r.action,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.comment ? { comment: r.comment } : {}),
})

function page(q: { cursor?: unknown; limit?: unknown; sortDirection?: unknown }) {
  if (q.cursor !== undefined && !/^\d+$/.test(String(q.cursor))) throw invalidInput('Malformed cursor')
  const limit = q.limit === undefined ? 50 : Number(q.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidInput('limit must be between 1 and 100')
  return { cursor: q.cursor === undefined ? undefined : Number(q.cursor), limit, direction: q.sortDirection === 'asc' ? ('asc' as const) : ('desc' as const) }
}

export class Safelink {
  constructor(private readonly ctx: ModContext) {}

  private assertModerator(by: Caller, what: string) {
    if (!isModerator(by)) throw authRequired(`Must be a moderator to ${what}`)
  }

  addRule(by: Caller, input: RuleInput, createdBy = by.did) {
    this.assertModerator(by, 'add URL rules')
    const rule = { url: checkUrl(input.url), pattern: oneOf(PATTERNS, input.pattern, 'pattern'), action: oneOf(ACTIONS, input.action, 'action'), reason: oneOf(REASONS, input.reason, 'reason') }
    return this.ctx.db.transaction(() => {
      if (store.getRule(this.ctx.db, rule.url, rule.pattern)) throw invalidInput('A rule for this URL/domain already exists', 'RuleAlreadyExists')
      const now = this.ctx.now().toISOString()
      const comment = optional(input.comment)
      store.putRule(this.ctx.db, { ...rule, created_by: createdBy, comment, created_at: now, updated_at: now })
      return eventView(store.insertEvent(this.ctx.db, { event_type: 'addRule', ...rule, created_by: createdBy, comment, created_at: now }))
    })()
  }

  updateRule(by: Caller, input: RuleInput, createdBy = by.did) {
    this.assertModerator(by, 'update URL rules')
    const key = { url: checkUrl(input.url), pattern: oneOf(PATTERNS, input.pattern, 'pattern') }
    const change = { action: oneOf(ACTIONS, input.action, 'action'), reason: oneOf(REASONS, input.reason, 'reason') }
    return this.ctx.db.transaction(() => {
      const existing = store.getRule(this.ctx.db, key.url, key.pattern)
      if (!existing) throw invalidInput('No active rule found for this URL/domain', 'RuleNotFound')
      const now = this.ctx.now().toISOString()
      const comment = optional(input.comment)
      store.putRule(this.ctx.db, { ...existing, ...change, created_by: createdBy, comment, updated_at: now })
      return eventView(store.insertEvent(this.ctx.db, { event_type: 'updateRule', ...key, ...change, created_by: createdBy, comment, created_at: now }))
    })()
  }

  removeRule(by: Caller, input: RuleInput, createdBy = by.did) {
    this.assertModerator(by, 'remove URL rules')
    const key = { url: checkUrl(input.url), pattern: oneOf(PATTERNS, input.pattern, 'pattern') }
    return this.ctx.db.transaction(() => {
      const existing = store.getRule(this.ctx.db, key.url, key.pattern)
      if (!existing) throw invalidInput('No active rule found for this URL/domain', 'RuleNotFound')
      store.deleteRule(this.ctx.db, key.url, key.pattern)
      const event = { event_type: 'removeRule', ...key, action: existing.action, reason: existing.reason, created_by: createdBy, comment: optional(input.comment), created_at: this.ctx.now().toISOString() }
      return eventView(store.insertEvent(this.ctx.db, event))
    })()
  }

  queryRules(q: { cursor?: unknown; limit?: unknown; urls?: unknown; patternType?: unknown; actions?: unknown; reason?: unknown; createdBy?: unknown; sortDirection?: unknown }) {
    const rows = store.listRules(this.ctx.db, {
      ...page(q),
      urls: Array.isArray(q.urls) ? q.urls.map(String) : undefined,
      pattern: q.patternType === undefined ? undefined : oneOf(PATTERNS, q.patternType, 'pattern'),
      actions: Array.isArray(q.actions) && q.actions.length ? q.actions.map((a) => oneOf(ACTIONS, a, 'action')) : undefined,
      reason: q.reason === undefined ? undefined : oneOf(REASONS, q.reason, 'reason'),
      createdBy: typeof q.createdBy === 'string' ? q.createdBy : undefined,
    })
    const last = rows.at(-1)
    return { rules: rows.map(ruleView), ...(last ? { cursor: String(last.id) } : {}) }
  }

  queryEvents(q: { cursor?: unknown; limit?: unknown; urls?: unknown; patternType?: unknown; sortDirection?: unknown }) {
    const rows = store.listEvents(this.ctx.db, {
      ...page(q),
      urls: Array.isArray(q.urls) ? q.urls.map(String) : undefined,
      pattern: q.patternType === undefined ? undefined : oneOf(PATTERNS, q.patternType, 'pattern'),
    })
    const last = rows.at(-1)
    return { events: rows.map(eventView), ...(last ? { cursor: String(last.id) } : {}) }
  }
}
