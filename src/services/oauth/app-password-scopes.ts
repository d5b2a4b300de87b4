// Scoped app passwords: an app password may carry an OAuth scope string (the granular repo:, blob:,
// rpc:, account:, identity: permissions and include: permission sets), enforced exactly as for OAuth
// tokens. Presets cover the usual cases; "full" (or no scope) is the old unscoped kind.
import { invalidInput } from '../errors.ts'
import { buildTokenScope, includedPermissions, type PermissionSetSource } from './permission-sets.ts'
import { formatPermission, isKnownScope, parseInclude, scopeSet } from './scopes.ts'

/** Each preset: bundled permission sets, plus plain scopes. */
export const APP_PASSWORD_PRESETS = {
  'read-only': { sets: ['app.bsky.authViewAll'], scopes: [] },
  'post-only': { sets: ['app.bsky.authCreatePosts'], scopes: ['blob:*/*'] },
  chat: { sets: ['chat.bsky.authFullChatClient'], scopes: [] },
} as const satisfies Record<string, { sets: string[]; scopes: string[] }>

/**
 * A preset's scope. Its sets' rpc: permissions take aud=* (an include: scope cannot say that): their
 * methods are already limited to app.bsky.* or chat.bsky.*, and the password should work with
 * whichever AppView or chat service the client proxies to.
 */
function presetScope(preset: (typeof APP_PASSWORD_PRESETS)[keyof typeof APP_PASSWORD_PRESETS], sets: PermissionSetSource): string {
  const granted: string[] = ['atproto', ...preset.scopes]
  for (const nsid of preset.sets) {
    const set = sets(nsid)
    if (!set) throw new Error(`bundled permission set ${nsid} is missing`)
    for (const p of includedPermissions({ nsid, aud: '*' }, set)) granted.push(formatPermission(p))
  }
  return [...new Set(granted)].join(' ')
}

export type AppPasswordPreset = 'full' | keyof typeof APP_PASSWORD_PRESETS

const MAX_SCOPE_LENGTH = 4096
const invalidScopeError = (message: string) => invalidInput(message, 'InvalidScope')

/**
 * The scope an app password stores: null for "full" (or nothing asked), otherwise a preset or a
 * custom scope string with every include: expanded (so later changes to bundled permission sets do
 * not widen existing passwords) and "atproto" added.
 */
export function resolveAppPasswordScope(requested: string | undefined, sets: PermissionSetSource): string | null {
  const asked = requested?.trim()
  if (!asked || asked === 'full') return null
  const preset = APP_PASSWORD_PRESETS[asked as keyof typeof APP_PASSWORD_PRESETS]
  if (preset) return presetScope(preset, sets)
  const scope = asked
  if (scope.length > MAX_SCOPE_LENGTH) throw invalidScopeError(`Scope too long (at most ${MAX_SCOPE_LENGTH} characters)`)
  const scopes = scopeSet(scope)
  for (const s of scopes) {
    if (s === 'atproto' || s.startsWith('transition:')) continue
    if (!isKnownScope(s)) throw invalidScopeError(`Unknown or malformed scope "${s}"`)
    const include = parseInclude(s)
    if (include && !sets(include.nsid)) throw invalidScopeError(`Permission set "${include.nsid}" is not known to this server`)
  }
  scopes.delete('atproto')
  const expanded = buildTokenScope([...scopes].join(' '), sets)
  return expanded ? `atproto ${expanded}` : 'atproto'
}
