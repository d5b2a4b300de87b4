// tools.ozone.signature.*: what ties accounts together, from what this server knows of its own accounts
// (README "Moderation"): the client addresses their sessions came from (account_ip), their email domains
// and the browsers they signed in with (account_browser). Moderators and admins only: these are personal data.
import { createHash } from 'node:crypto'
import { authRequired, invalidInput } from '../errors.ts'
import { accountsWithSignatures, allDeviceIds, signaturesOf, type Signature } from '../../storage/account/account-history.ts'
import { getAccountInfos } from '../accounts/admin.ts'
import type { ModContext } from './context.ts'
import { isModerator, type Caller } from './team.ts'

const key = (s: Signature) => `${s.property}\u0000${s.value}`
const byKey = (a: Signature, b: Signature) => key(a).localeCompare(key(b))
/** A browser is shown (and searched) by a digest of its device id, never the cookie value itself. */
const deviceDigest = (deviceId: string) => createHash('sha256').update(deviceId).digest('hex').slice(0, 16)
const detail = (s: Signature) => ({ property: s.property, value: s.property === 'device' ? deviceDigest(s.value) : s.value })

function offset(cursor: string | undefined): number {
  if (cursor === undefined) return 0
  if (!/^\d+$/.test(cursor)) throw invalidInput('Malformed cursor')
  return Number(cursor)
}

export class Signatures {
  constructor(private readonly ctx: ModContext) {}

  private get db() {
    return this.ctx.accounts.manager.db
  }

  private assertModerator(by: Caller) {
    if (!isModerator(by)) throw authRequired('Must be a moderator to see account signatures')
  }

  private localAccount(did: string) {
    if (!this.ctx.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })) throw invalidInput(`Account not found: ${did}`, 'AccountNotFound')
  }

  /** The signatures every one of the accounts has. */
  findCorrelation(by: Caller, q: { dids: string[] }) {
    this.assertModerator(by)
    const dids = [...new Set(q.dids)]
    if (dids.length < 2) throw invalidInput('Correlation needs at least two accounts')
    dids.forEach((did) => this.localAccount(did))
    const [first, ...rest] = dids.map((did) => signaturesOf(this.db, did))
    const shared = first!.filter((s) => rest.every((sigs) => sigs.some((o) => key(o) === key(s))))
    return { details: shared.map(detail) }
  }

  /** Accounts sharing any signature with the account, those sharing the most first. */
  findRelatedAccounts(by: Caller, q: { did: string; cursor?: string; limit?: number }) {
    this.assertModerator(by)
    this.localAccount(q.did)
    const start = offset(q.cursor)
    const limit = q.limit ?? 50
    const related = new Map<string, Signature[]>()
    for (const m of accountsWithSignatures(this.db, signaturesOf(this.db, q.did), q.did)) {
      const list = related.get(m.did) ?? []
      if (!list.some((s) => key(s) === key(m))) list.push({ property: m.property, value: m.value })
      related.set(m.did, list)
    }
    const ranked = [...related].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))
    const page = ranked.slice(start, start + limit)
    const views = new Map(getAccountInfos(this.ctx.accounts, page.map(([did]) => did)).infos.map((v) => [v.did, v]))
    const accounts = page.flatMap(([did, sigs]) => (views.has(did) ? [{ account: views.get(did)!, similarities: sigs.sort(byKey).map(detail) }] : []))
    return { accounts, ...(start + limit < ranked.length ? { cursor: String(start + limit) } : {}) }
  }

  /** Accounts with any of the values as a session address, an email domain or a browser's digest. */
  searchAccounts(by: Caller, q: { values: string[]; cursor?: string; limit?: number }) {
    this.assertModerator(by)
    const start = offset(q.cursor)
    const limit = q.limit ?? 50
    const values = q.values.map((v) => v.trim()).filter(Boolean)
    if (!values.length) throw invalidInput('No signature values to search for')
    const digests = new Set(values.filter((v) => /^[0-9a-f]{16}$/.test(v)))
    const devices = digests.size ? allDeviceIds(this.db).filter((id) => digests.has(deviceDigest(id))) : []
    const sigs = [
      ...values.flatMap((value): Signature[] => [{ property: 'ip', value }, { property: 'emailDomain', value: value.replace(/^@/, '') }]),
      ...devices.map((value): Signature => ({ property: 'device', value })),
    ]
    const dids = [...new Set(accountsWithSignatures(this.db, sigs).map((m) => m.did))]
    const page = dids.slice(start, start + limit)
    return { accounts: getAccountInfos(this.ctx.accounts, page).infos, ...(start + limit < dids.length ? { cursor: String(start + limit) } : {}) }
  }
}
