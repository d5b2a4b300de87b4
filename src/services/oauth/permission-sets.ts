// `include:<nsid>` scopes: lexicon permission sets (type "permission-set") expanded into granular
// repo:/rpc: permissions, with the rules of the reference's IncludeScope (oauth-scopes/src/scopes/include-scope.ts):
// - only repo: and rpc: permissions are taken from a set (anything else in it is ignored);
// - an rpc: permission may not name its own audience (other than '*'); with `inheritAud: true` it takes the
//   include's `aud`, and without one it is dropped;
// - every collection / method must sit under the set's own NSID authority (app.bsky.authX: app.bsky.*),
//   and '*' is never allowed.
// Sets are resolved only from the lexicons bundled with this server: we do not resolve lexicons over the
// network (DNS + the authority's repo), so an unknown set is refused at PAR.
import type { Lexicons } from '../../core/lexicon/index.ts'
import { formatPermission, parseInclude, parsePermission, scopeSet, type IncludeScope, type Permission } from './scopes.ts'

export type PermissionSet = { nsid: string; title?: string; detail?: string; permissions: Record<string, unknown>[] }

/** Looks a permission set up by NSID; null when it is unknown (or the document is not a permission set). */
export type PermissionSetSource = (nsid: string) => PermissionSet | null

export function permissionSetsFrom(lexicons: Lexicons): PermissionSetSource {
  return (nsid) => {
    let def: unknown
    try {
      def = lexicons.getDef(nsid)
    } catch {
      return null // a malformed bundled document: treat as unknown
    }
    const d = def as { type?: unknown; title?: unknown; detail?: unknown; permissions?: unknown } | undefined
    if (d?.type !== 'permission-set' || !Array.isArray(d.permissions)) return null
    return {
      nsid,
      ...(typeof d.title === 'string' && { title: d.title }),
      ...(typeof d.detail === 'string' && { detail: d.detail }),
      permissions: d.permissions as Record<string, unknown>[],
    }
  }
}

/** True when `nsid` is under the authority of the set's NSID (same group prefix, up to its last dot). */
export function isUnderAuthority(setNsid: string, nsid: string): boolean {
  if (nsid === '*') return false
  const group = setNsid.slice(0, setNsid.lastIndexOf('.') + 1)
  return group.length > 1 && nsid.length > group.length && nsid.startsWith(group)
}

/** One lexicon permission object as a scope string to parse (null for resources a set may not grant). */
function lexPermissionScope(include: IncludeScope, lex: Record<string, unknown>): string | null {
  const { type: _type, resource, inheritAud, ...fields } = lex
  if (resource !== 'repo' && resource !== 'rpc') return null
  if (resource === 'rpc') {
    if (fields.aud !== undefined && fields.aud !== '*') return null
    if (inheritAud === true && fields.aud === undefined && include.aud !== undefined) fields.aud = include.aud
  }
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null
      params.append(key, String(v))
    }
  }
  return `${resource}?${params}`
}

/** The permissions an include grants, from its permission set. */
export function includedPermissions(include: IncludeScope, set: PermissionSet): Permission[] {
  const out: Permission[] = []
  for (const lex of set.permissions) {
    const scope = lexPermissionScope(include, lex)
    const p = scope === null ? null : parsePermission(scope)
    if (p?.resource === 'repo' && p.collection.every((c) => isUnderAuthority(include.nsid, c))) out.push(p)
    if (p?.resource === 'rpc' && p.lxm.every((m) => isUnderAuthority(include.nsid, m))) out.push(p)
  }
  return out
}

/** The include: scopes of a scope string whose permission set is unknown here. */
export function unresolvedIncludes(scope: string, sets: PermissionSetSource): string[] {
  return [...scopeSet(scope)].filter((s) => {
    const include = parseInclude(s)
    return include !== null && sets(include.nsid) === null
  })
}

export class UnresolvedPermissionSetError extends Error {}

/**
 * The scope an access token carries: each include: replaced by the permissions it grants (as the
 * reference's LexiconManager.buildTokenScope), so resources check plain permissions only.
 */
export function buildTokenScope(scope: string, sets: PermissionSetSource): string {
  const expanded: string[] = []
  const others: string[] = []
  for (const s of scopeSet(scope)) {
    const include = parseInclude(s)
    if (!include) {
      others.push(s)
      continue
    }
    const set = sets(include.nsid)
    if (!set) throw new UnresolvedPermissionSetError(`Permission set "${include.nsid}" could not be resolved`)
    for (const p of includedPermissions(include, set)) expanded.push(formatPermission(p))
  }
  return [...new Set([...expanded, ...others])].join(' ')
}
