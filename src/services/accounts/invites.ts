// Invite codes: creation (admin), availability and use counting, disabling.
import { randomBytes } from 'node:crypto'
import * as invites from '../../storage/account/invites.ts'
import { invalidInput } from '../errors.ts'
import type { Database } from 'bun:sqlite'

/** `<hostname with dashes>-<5 base32>-<5 base32>`, as the reference's genInvCode. */
export function genInviteCode(hostname: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  const part = () => Array.from(randomBytes(5), (b) => alphabet[b & 31]).join('')
  return `${hostname.replaceAll('.', '-')}-${part()}-${part()}`
}

/** Throws InvalidInviteCode unless the code exists, is enabled and has uses left. Run it inside the use's transaction. */
export function ensureInviteIsAvailable(db: Database, code: string) {
  const invite = invites.getInviteCode(db, code)
  if (!invite || invite.disabled) throw invalidInput('Provided invite code not available', 'InvalidInviteCode')
  if (invites.countInviteUses(db, code) >= invite.availableUses) {
    throw invalidInput('Provided invite code not available', 'InvalidInviteCode')
  }
}

/** Codes one request may create in all (codeCount for each of forAccounts): a bigger batch is a mistake, not a need. */
export const MAX_INVITE_CODES_PER_REQUEST = 10_000

/**
 * `codeCount` codes of `useCount` uses for each of `forAccounts`. The lexicon bounds neither number;
 * the reference would try to make 1e20 codes (and fail after a long while). Here a count out of range
 * is a 400 before anything is written.
 */
export function createInviteCodes(db: Database, hostname: string, opts: { forAccounts: string[]; codeCount: number; useCount: number }) {
  const { forAccounts, codeCount, useCount } = opts
  if (!Number.isSafeInteger(useCount) || useCount < 1) throw invalidInput('useCount must be a whole number of at least 1')
  if (!Number.isSafeInteger(codeCount) || codeCount < 0) throw invalidInput('codeCount must be a whole number of at least 0')
  if (codeCount * forAccounts.length > MAX_INVITE_CODES_PER_REQUEST) {
    throw invalidInput(`Too many invite codes: ${codeCount} for each of ${forAccounts.length} accounts; at most ${MAX_INVITE_CODES_PER_REQUEST} in one request`)
  }
  const createdAt = new Date().toISOString()
  return db.transaction(() =>
    forAccounts.map((account) => {
      const codes = Array.from({ length: codeCount }, () => genInviteCode(hostname))
      for (const code of codes) invites.insertInviteCode(db, { code, availableUses: useCount, forAccount: account, createdBy: 'admin', createdAt })
      return { account, codes }
    }),
  )()
}

export type InviteCodeView = {
  code: string
  available: number
  disabled: boolean
  forAccount: string
  createdBy: string
  createdAt: string
  uses: Array<{ usedBy: string; usedAt: string }>
}

export function viewInviteCodes(db: Database, rows: invites.InviteCodeRow[]): InviteCodeView[] {
  const uses = invites.listInviteUses(db, rows.map((r) => r.code))
  return rows.map((r) => ({
    code: r.code,
    available: r.availableUses,
    disabled: r.disabled === 1,
    forAccount: r.forAccount,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    uses: uses.filter((u) => u.code === r.code).map((u) => ({ usedBy: u.usedBy, usedAt: u.usedAt })),
  }))
}

/**
 * One page of every invite code, as the reference's getInviteCodes: newest first (`recent`) or most used
 * first (`usage`); the cursor is `<createdAt in ms or use count>::<code>` of the page's last code, so
 * codes created in the same millisecond (a batch) are neither skipped nor repeated.
 */
export function listInviteCodesPage(db: Database, sort: string, cursor: string | undefined, limit: number) {
  if (sort !== 'recent' && sort !== 'usage') throw invalidInput(`unknown sort method: ${sort}`)
  const rows = invites.listInviteCodes(db, sort, cursor ? parseInviteCursor(sort, cursor) : undefined, limit)
  const last = rows.at(-1)
  const next = last && rows.length === limit ? `${sort === 'recent' ? Date.parse(last.createdAt) : last.uses}::${last.code}` : undefined
  return { codes: viewInviteCodes(db, rows), cursor: next }
}

function parseInviteCursor(sort: 'recent' | 'usage', cursor: string): { primary: string | number; code: string } {
  const [primary, code, ...rest] = cursor.split('::')
  const n = /^\d{1,15}$/.test(primary ?? '') ? Number(primary) : NaN
  if (!code || rest.length || Number.isNaN(n)) throw invalidInput('Malformed cursor')
  return { primary: sort === 'recent' ? new Date(n).toISOString() : n, code }
}
