// What an OAuth token may call, method by method, as the reference's `authorize` callbacks
// (packages/pds/src/api/**). Checked when the token is verified (from the URL and headers) and, for
// methods whose permission depends on the body, again once the input is parsed (authorizeInput).
import { forbidden, invalidInput } from '../errors.ts'
import { defaultServiceFor, type ProxyConfig } from '../proxy/methods.ts'
import { assertScope, type PermissionNeed, type RepoAction, type ScopePermissions } from './scopes.ts'

/** What the policy reads of a call (the edge takes it from the request). */
export type OAuthCallInfo = {
  /** The URL's query (getServiceAuth's aud and lxm). */
  query: URLSearchParams
  /** The atproto-proxy header, null without one. */
  proxy: string | null
  /** The Content-Type header, null without one. */
  contentType: string | null
}

type Check = (permissions: ScopePermissions, call: OAuthCallInfo, nsid: string, config: ProxyConfig) => void

const NOT_FOR_OAUTH = 'OAuth credentials are not supported for this endpoint'
const closed =
  (message = NOT_FOR_OAUTH): Check =>
  () => {
    throw forbidden(message)
  }
const always: Check = () => {}
const need = (n: PermissionNeed): Check => (p) => assertScope({ permissions: p }, n)

/**
 * The `did#service` a proxied call goes to: the atproto-proxy header, else the method's default service;
 * for Ozone methods and reports with no such service configured, the bundled moderation service (which
 * answers them here), named as a remote Ozone would be: `<team DID>#atproto_labeler`.
 */
export function proxyAudience(config: ProxyConfig, call: Pick<OAuthCallInfo, 'proxy'>, lxm: string): string {
  const header = call.proxy
  if (header) return header
  const service = defaultServiceFor(config, lxm)
  if (service) return `${service.did}#${service.serviceId}`
  const team = lxm.startsWith('tools.ozone.') || lxm === 'com.atproto.moderation.createReport' ? config.bundledModeration?.() : null
  if (team) return `${team}#atproto_labeler`
  throw invalidInput(`No service configured for ${lxm}`)
}

/** rpc:<lxm>?aud=<proxy target>, for calls this server forwards (or answers in the AppView's place). */
const rpc =
  (...extra: string[]): Check =>
  (p, call, nsid, config) => {
    const aud = proxyAudience(config, call, nsid)
    for (const lxm of [nsid, ...extra]) assertScope({ permissions: p }, { rpc: { lxm, aud } })
  }

const serviceAuth: Check = (p, call) => {
  const aud = call.query.get('aud') ?? ''
  assertScope({ permissions: p }, { rpc: { lxm: call.query.get('lxm') ?? '*', aud } })
}

const blobUpload: Check = (p, call) => {
  const mime = call.contentType?.split(';')[0]?.trim().toLowerCase()
  if (!mime) throw invalidInput('Request encoding (Content-Type) required but not provided')
  assertScope({ permissions: p }, { blob: { mime } })
}

/** Methods served here; anything else an OAuth token reaches is a proxied call (rpc: by lxm and aud). */
const METHOD_POLICIES: Record<string, Check> = {
  // Closed to OAuth in the reference: app passwords, invites, account status and deletion, email changes.
  'com.atproto.server.activateAccount': closed('Account reactivation is not available with OAuth credentials. Sign in to your account management page to reactivate.'),
  'com.atproto.server.deactivateAccount': closed(),
  'com.atproto.server.createAppPassword': closed(),
  'com.atproto.server.listAppPasswords': closed(),
  'com.atproto.server.revokeAppPassword': closed(),
  'com.atproto.server.getAccountInviteCodes': closed(),
  'com.atproto.server.requestAccountDelete': closed(),
  'com.atproto.temp.checkSignupQueue': closed(),
  'com.atproto.server.requestEmailUpdate': closed('Use the account manager interface to update email address associated with an account'),
  'com.atproto.server.updateEmail': closed('Use the account manager interface to update email address associated with an account'),
  // Always allowed (getSession hides the email without account:email).
  'com.atproto.server.getSession': always,
  'com.atproto.server.checkAccountStatus': always,
  'com.atproto.identity.getRecommendedDidCredentials': always,
  'com.atproto.repo.listMissingBlobs': always,
  // Checked against the parsed input (authorizeInput below).
  'com.atproto.repo.createRecord': always,
  'com.atproto.repo.putRecord': always,
  'com.atproto.repo.deleteRecord': always,
  'com.atproto.repo.applyWrites': always,
  'app.bsky.notification.registerPush': always,
  'app.bsky.notification.unregisterPush': always,
  // Granular permissions.
  'com.atproto.identity.updateHandle': need({ identity: { attr: 'handle' } }),
  'com.atproto.identity.requestPlcOperationSignature': need({ identity: { attr: '*' } }),
  'com.atproto.identity.signPlcOperation': need({ identity: { attr: '*' } }),
  'com.atproto.identity.submitPlcOperation': need({ identity: { attr: '*' } }),
  'com.atproto.server.requestEmailConfirmation': need({ account: { attr: 'email', action: 'manage' } }),
  'com.atproto.server.confirmEmail': need({ account: { attr: 'email', action: 'manage' } }),
  'com.atproto.repo.importRepo': need({ account: { attr: 'repo', action: 'manage' } }),
  'com.atproto.repo.uploadBlob': blobUpload,
  'com.atproto.server.getServiceAuth': serviceAuth,
  'app.bsky.feed.getFeed': rpc('app.bsky.feed.getFeedSkeleton'),
}

export const hasMethodPolicy = (nsid: string) => Object.hasOwn(METHOD_POLICIES, nsid)

/**
 * Throws ForbiddenError / ScopeMissingError (403) when the granted scopes do not cover this call.
 * `explicitOnly`: full-access methods without a policy stay closed rather than fall back to rpc:.
 */
export function authorizeOAuthCall(permissions: ScopePermissions, call: OAuthCallInfo, nsid: string, config: ProxyConfig, opts: { explicitOnly?: boolean } = {}): void {
  const check = METHOD_POLICIES[nsid] ?? (opts.explicitOnly ? closed() : rpc())
  check(permissions, call, nsid, config)
}

type WriteLike = { $type?: unknown; collection?: unknown }
const APPLY_WRITE_ACTIONS: Record<string, RepoAction> = {
  'com.atproto.repo.applyWrites#create': 'create',
  'com.atproto.repo.applyWrites#update': 'update',
  'com.atproto.repo.applyWrites#delete': 'delete',
}

/** The repo permissions a write call needs, from its input (putRecord may create or update: both). */
export function repoWritesOf(nsid: string, input: unknown): { action: RepoAction; collection: string }[] {
  const body = (input ?? {}) as { collection?: unknown; writes?: unknown }
  const collection = String(body.collection ?? '')
  switch (nsid) {
    case 'com.atproto.repo.createRecord':
      return [{ action: 'create', collection }]
    case 'com.atproto.repo.putRecord':
      return [
        { action: 'create', collection },
        { action: 'update', collection },
      ]
    case 'com.atproto.repo.deleteRecord':
      return [{ action: 'delete', collection }]
    case 'com.atproto.repo.applyWrites': {
      const writes = Array.isArray(body.writes) ? (body.writes as WriteLike[]) : []
      const seen = new Map<string, { action: RepoAction; collection: string }>()
      for (const w of writes) {
        const action = APPLY_WRITE_ACTIONS[String(w.$type)]
        if (!action) continue // the handler rejects unknown write types
        seen.set(`${action} ${String(w.collection)}`, { action, collection: String(w.collection) })
      }
      return [...seen.values()]
    }
    default:
      return []
  }
}

/** The checks that need the parsed body: record writes by collection and action, push registration by service. */
export function authorizeOAuthInput(permissions: ScopePermissions, nsid: string, input: unknown): void {
  for (const repo of repoWritesOf(nsid, input)) assertScope({ permissions }, { repo })
  if (nsid === 'app.bsky.notification.registerPush' || nsid === 'app.bsky.notification.unregisterPush') {
    const serviceDid = String((input as { serviceDid?: unknown } | undefined)?.serviceDid ?? '')
    assertScope({ permissions }, { rpc: { lxm: nsid, aud: `${serviceDid}#bsky_notif` } })
  }
}

/** getSession for an OAuth caller without account:email (or transition:email): no email fields, as the reference. */
export function hideEmailWithoutScope<T extends { email?: unknown; emailConfirmed?: unknown; emailAuthFactor?: unknown }>(
  auth: object,
  body: T,
): Omit<T, 'email' | 'emailConfirmed' | 'emailAuthFactor'> | T {
  const permissions = (auth as { permissions?: ScopePermissions }).permissions
  if (!permissions || permissions.allowsAccount({ attr: 'email', action: 'read' })) return body
  const { email: _email, emailConfirmed: _confirmed, emailAuthFactor: _factor, ...rest } = body
  return rest
}
