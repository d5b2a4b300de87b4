// atproto OAuth scopes (as the reference's @atproto/oauth-scopes): parsing the granular
// repo:/blob:/rpc:/account:/identity: permissions, the transition:* scopes, and `allows` checks.
import { isValidDid, isValidNsid } from '../../core/syntax/index.ts'
import { forbidden } from '../errors.ts'

export const TRANSITION_SCOPES = ['transition:generic', 'transition:chat.bsky', 'transition:email'] as const
export const REPO_ACTIONS = ['create', 'update', 'delete'] as const
export const ACCOUNT_ATTRS = ['email', 'repo', 'status'] as const
export const ACCOUNT_ACTIONS = ['read', 'manage'] as const
export const IDENTITY_ATTRS = ['handle', '*'] as const

export type RepoAction = (typeof REPO_ACTIONS)[number]
export type AccountAttr = (typeof ACCOUNT_ATTRS)[number]
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number]
export type IdentityAttr = (typeof IDENTITY_ATTRS)[number]

export type Permission =
  | { resource: 'repo'; collection: string[]; action: RepoAction[] }
  | { resource: 'blob'; accept: string[] }
  | { resource: 'rpc'; lxm: string[]; aud: string }
  | { resource: 'account'; attr: AccountAttr; action: AccountAction }
  | { resource: 'identity'; attr: IdentityAttr }

export type PermissionNeed =
  | { repo: { collection: string; action: RepoAction } }
  | { blob: { mime: string } }
  | { rpc: { lxm: string; aud: string } }
  | { account: { attr: AccountAttr; action: AccountAction } }
  | { identity: { attr: IdentityAttr } }

/** Splits a scope string on spaces, dropping empties and duplicates. */
export function scopeSet(scope: string | undefined | null): Set<string> {
  return new Set((scope ?? '').split(' ').filter(Boolean))
}

type Syntax = { prefix: string; positional?: string; params: URLSearchParams }

function syntaxOf(scope: string): Syntax {
  const q = scope.indexOf('?')
  const c = scope.indexOf(':')
  const end = q === -1 ? c : c === -1 ? q : Math.min(q, c)
  if (end === -1) return { prefix: scope, params: new URLSearchParams() }
  let positional: string | undefined
  if (c !== -1 && (q === -1 || c < q)) {
    try {
      positional = decodeURIComponent(scope.slice(c + 1, q === -1 ? undefined : q))
    } catch {
      positional = '\u0000' // undecodable: fails every validator below
    }
  }
  const params = new URLSearchParams(q === -1 ? '' : scope.slice(q + 1))
  return { prefix: scope.slice(0, end), positional, params }
}

/** The values of one parameter, which may also be given positionally (never both). */
function values(s: Syntax, name: string, allowed: string[]): string[] | null {
  for (const key of s.params.keys()) if (!allowed.includes(key)) return null
  const named = s.params.getAll(name)
  if (s.positional !== undefined) return named.length ? null : [s.positional]
  return named
}

const isMime = (v: string) => v === '*/*' || /^[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+)$/i.test(v)
const isAudience = (v: string) => {
  const hash = v.indexOf('#')
  return hash > 0 && isValidDid(v.slice(0, hash)) && /^[a-zA-Z0-9_-]+$/.test(v.slice(hash + 1))
}
const only = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v)

/** Parses one granular permission scope; null when it is not one (or is malformed). */
export function parsePermission(scope: string): Permission | null {
  const s = syntaxOf(scope)
  switch (s.prefix) {
    case 'repo': {
      const collection = values(s, 'collection', ['collection', 'action'])
      if (!collection?.length || !collection.every((v) => v === '*' || isValidNsid(v))) return null
      const action = s.params.getAll('action')
      if (!action.every((a) => only(REPO_ACTIONS, a))) return null
      return {
        resource: 'repo',
        collection: collection.includes('*') ? ['*'] : [...new Set(collection)].sort(),
        action: action.length ? REPO_ACTIONS.filter((a) => action.includes(a)) : [...REPO_ACTIONS],
      }
    }
    case 'blob': {
      const accept = values(s, 'accept', ['accept'])
      if (!accept?.length || !accept.every(isMime)) return null
      return { resource: 'blob', accept: accept.includes('*/*') ? ['*/*'] : [...new Set(accept.map((a) => a.toLowerCase()))].sort() }
    }
    case 'rpc': {
      const lxm = values(s, 'lxm', ['lxm', 'aud'])
      const aud = s.params.getAll('aud')
      if (!lxm?.length || !lxm.every((v) => v === '*' || isValidNsid(v))) return null
      if (aud.length !== 1 || !(aud[0] === '*' || isAudience(aud[0]!))) return null
      if (aud[0] === '*' && lxm.includes('*')) return null // rpc:*?aud=* is forbidden
      return { resource: 'rpc', lxm: lxm.includes('*') ? ['*'] : [...new Set(lxm)].sort(), aud: aud[0]! }
    }
    case 'account': {
      const attr = values(s, 'attr', ['attr', 'action'])
      const action = s.params.getAll('action')
      if (attr?.length !== 1 || !only(ACCOUNT_ATTRS, attr[0]!)) return null
      if (action.length > 1 || (action.length === 1 && !only(ACCOUNT_ACTIONS, action[0]!))) return null
      return { resource: 'account', attr: attr[0] as AccountAttr, action: (action[0] as AccountAction) ?? 'read' }
    }
    case 'identity': {
      const attr = values(s, 'attr', ['attr'])
      if (attr?.length !== 1 || !only(IDENTITY_ATTRS, attr[0]!)) return null
      return { resource: 'identity', attr: attr[0] as IdentityAttr }
    }
    default:
      return null
  }
}

/** `include:<nsid>[?aud=<did#service>]`: a lexicon permission set (expanded by permission-sets.ts). */
export type IncludeScope = { nsid: string; aud?: string }

export function parseInclude(scope: string): IncludeScope | null {
  const s = syntaxOf(scope)
  if (s.prefix !== 'include') return null
  const nsid = values(s, 'nsid', ['nsid', 'aud'])
  const aud = s.params.getAll('aud')
  if (nsid?.length !== 1 || !isValidNsid(nsid[0]!) || aud.length > 1 || (aud.length === 1 && !isAudience(aud[0]!))) return null
  return aud.length ? { nsid: nsid[0]!, aud: aud[0]! } : { nsid: nsid[0]! }
}

/** True for every scope value this server understands (requests with others are refused). */
export function isKnownScope(scope: string): boolean {
  return scope === 'atproto' || only(TRANSITION_SCOPES, scope) || parsePermission(scope) !== null || parseInclude(scope) !== null
}

/** Scope values keep ':' readable; everything else that is not URL-safe is percent-encoded ('#' as %23). */
const encodeValue = (v: string) => encodeURIComponent(v).replace(/%3A/gi, ':')

/** A permission as its canonical scope string: one value positionally, several as a query, defaults left out. */
export function formatPermission(p: Permission): string {
  const format = (prefix: string, name: string, main: string[], rest: [string, string][] = []) => {
    const query = rest.map(([k, v]) => `${k}=${encodeValue(v)}`)
    if (main.length === 1) return `${prefix}:${encodeValue(main[0]!)}${query.length ? `?${query.join('&')}` : ''}`
    return `${prefix}?${[...main.map((v) => `${name}=${encodeValue(v)}`), ...query].join('&')}`
  }
  switch (p.resource) {
    case 'repo': {
      const actions = p.action.length === REPO_ACTIONS.length ? [] : p.action.map((a): [string, string] => ['action', a])
      return format('repo', 'collection', p.collection, actions)
    }
    case 'blob':
      return format('blob', 'accept', p.accept)
    case 'rpc':
      return format('rpc', 'lxm', p.lxm, [['aud', p.aud]])
    case 'account':
      return format('account', 'attr', [p.attr], p.action === 'read' ? [] : [['action', p.action]])
    case 'identity':
      return format('identity', 'attr', [p.attr])
  }
}

function mimeMatches(accept: string, mime: string): boolean {
  if (accept === '*/*') return true
  const m = mime.toLowerCase()
  if (accept.endsWith('/*')) return m.startsWith(accept.slice(0, -1))
  return accept === m
}

/** What a granted scope string lets its bearer do. */
export class ScopePermissions {
  readonly scopes: Set<string>
  readonly permissions: Permission[]

  constructor(scope: string | undefined | null) {
    this.scopes = scopeSet(scope)
    this.permissions = [...this.scopes].map(parsePermission).filter((p): p is Permission => p !== null)
  }

  has(scope: string) {
    return this.scopes.has(scope)
  }

  allowsRepo({ collection, action }: { collection: string; action: RepoAction }): boolean {
    if (this.has('transition:generic')) return true
    return this.permissions.some(
      (p) => p.resource === 'repo' && p.action.includes(action) && (p.collection.includes('*') || p.collection.includes(collection)),
    )
  }

  allowsBlob({ mime }: { mime: string }): boolean {
    if (this.has('transition:generic')) return true
    return this.permissions.some((p) => p.resource === 'blob' && p.accept.some((a) => mimeMatches(a, mime)))
  }

  allowsRpc({ lxm, aud }: { lxm: string; aud: string }): boolean {
    const chat = lxm.startsWith('chat.bsky.')
    if (this.has('transition:generic') && (lxm === '*' || !chat)) return true
    if (this.has('transition:chat.bsky') && chat) return true
    return this.permissions.some(
      (p) => p.resource === 'rpc' && (p.aud === '*' || p.aud === aud) && (p.lxm.includes('*') || p.lxm.includes(lxm)),
    )
  }

  allowsAccount({ attr, action }: { attr: AccountAttr; action: AccountAction }): boolean {
    if (attr === 'email' && action === 'read' && this.has('transition:email')) return true
    return this.permissions.some((p) => p.resource === 'account' && p.attr === attr && (p.action === 'manage' || p.action === action))
  }

  allowsIdentity({ attr }: { attr: IdentityAttr }): boolean {
    return this.permissions.some((p) => p.resource === 'identity' && (p.attr === '*' || p.attr === attr))
  }

  allows(need: PermissionNeed): boolean {
    if ('repo' in need) return this.allowsRepo(need.repo)
    if ('blob' in need) return this.allowsBlob(need.blob)
    if ('rpc' in need) return this.allowsRpc(need.rpc)
    if ('account' in need) return this.allowsAccount(need.account)
    return this.allowsIdentity(need.identity)
  }
}

/** The smallest scope string that would satisfy a need (for the error message). */
export function scopeNeededFor(need: PermissionNeed): string {
  if ('repo' in need) return `repo:${need.repo.collection}?action=${need.repo.action}`
  if ('blob' in need) return `blob:${need.blob.mime}`
  if ('rpc' in need) return `rpc:${need.rpc.lxm}?aud=${need.rpc.aud}`
  if ('account' in need) return `account:${need.account.attr}${need.account.action === 'read' ? '' : '?action=manage'}`
  return `identity:${need.identity.attr}`
}

/** What handlers receive for an OAuth caller: the granted permissions travel with the auth result. */
export type ScopedAuth = { permissions?: ScopePermissions }

/**
 * Throws 403 ScopeMissingError when an OAuth-authenticated caller lacks a permission. Non-OAuth
 * callers (legacy sessions, app passwords, admin) carry no `permissions` and pass unchanged.
 */
export function assertScope(auth: object, need: PermissionNeed): void {
  const permissions = (auth as ScopedAuth).permissions
  if (!(permissions instanceof ScopePermissions)) return
  if (!permissions.allows(need)) {
    const scope = scopeNeededFor(need)
    throw forbidden(`Missing required scope "${scope}"`, 'ScopeMissingError')
  }
}
