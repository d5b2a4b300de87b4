// The moderation console lives inside the account app (/account/mod: the member signs in with their own
// account and second factor, the same session, CSRF and rate limits); /mod leads there.
import type { Caller, ModerationService } from '../../services/moderation/index.ts'
import { BASE, type SignedIn, type WebRequest } from '../account/context.ts'
import { asSignedIn } from '../account/router.ts'
import { PageProblem } from '../ui/errors.ts'
import { DomainError } from '../../services/errors.ts'
import type { FactorStatus } from '../../services/factors/factor-service.ts'
import type { WebSession } from '../../services/accounts/web-sessions.ts'

export const MOD_BASE = `${BASE}/mod`

/** A second factor given longer ago than this is asked for again (gate.tsx). */
export const MOD_FACTOR_MAX_AGE_MS = 12 * 60 * 60 * 1000

export const hasSecondFactor = (s: FactorStatus) => s.totp || s.emailAuthFactor || s.passkeys > 0
export const factorIsFresh = (session: WebSession, now = Date.now()) => session.factorAt !== null && now - session.factorAt < MOD_FACTOR_MAX_AGE_MS

export type Member = SignedIn & { caller: Caller; moderation: ModerationService }

/** A signed-in member of the moderation team who gave a second factor recently; 403 for everyone else. */
export function asMember(r: WebRequest): Member {
  const s = asSignedIn(r)
  const moderation = s.app.services.moderation
  const caller = moderation?.callerFor(s.account.did)
  if (!moderation || !caller) throw new PageProblem(403, 'Not on the moderation team', 'This console is for members of the moderation team. Ask the team lead to add your account.')
  // The routes' gate (gate.tsx) leads the member to set one up or give it; this is the backstop.
  if (!hasSecondFactor(s.app.services.accounts.factors.status(s.account.did)) || !factorIsFresh(s.session)) {
    throw new PageProblem(403, 'Second factor needed', 'The moderation console needs your second factor in this session.')
  }
  return Object.assign(s, { caller, moderation })
}

export const roleName = (role: string) => role.split('#role')[1] ?? role

/** Runs a service call; its refusal becomes a page: 403 for a role that may not, 400 for the rest. */
export async function orRefusalPage<T>(title: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof DomainError) throw new PageProblem(err.kind === 'auth-required' || err.kind === 'forbidden' ? 403 : 400, title, err.message)
    throw err
  }
}
