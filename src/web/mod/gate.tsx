/** @jsxImportSource ../ui/jsx */
// The console's gate, before any of its pages or forms: a member of the team, with a second factor set up
// on their account (an authenticator app, sign-in codes by email or a passkey), who gave it in this web
// session within the last hours (at sign-in, or on the step-up page). The team's XRPC calls keep Ozone's
// auth (session or service JWT, OAuth scopes): the reference Ozone asks nothing more of them.
import type { WebRequest } from '../account/context.ts'
import { asSignedIn } from '../account/router.ts'
import { accountPage } from '../account/shell.tsx'
import { SECURITY_PATH } from '../account/security.tsx'
import { seeOther } from '../ui/render.ts'
import { factorIsFresh, hasSecondFactor, MOD_BASE } from './context.ts'

export const MOD_VERIFY_PATH = `${MOD_BASE}/verify`

type Handler = (r: WebRequest) => Promise<Response> | Response

/** The handler behind the gate: a member without a factor is told to set one up; one not verified in this session steps up. */
export const gated =
  (handler: Handler): Handler =>
  (r) =>
    gate(r) ?? handler(r)

function gate(r: WebRequest): Response | null {
  const s = asSignedIn(r)
  // A non-member gets the handler's own refusal (asMember), the same page as before.
  if (!s.app.services.moderation?.callerFor(s.account.did)) return null
  if (!hasSecondFactor(s.app.services.accounts.factors.status(s.account.did))) return setUpFactorPage(r)
  if (factorIsFresh(s.session)) return null
  const here = r.url.pathname + r.url.search
  // A form posted from a stale session is not applied: the step-up page says so and leads back to the page it came from.
  const back = r.req.method === 'GET' ? here : (sameOriginModPath(r.req.headers.get('referer'), r.url) ?? MOD_BASE)
  return seeOther(`${MOD_VERIFY_PATH}?next=${encodeURIComponent(back)}${r.req.method === 'GET' ? '' : '&again=1'}`, r.cookies)
}

function sameOriginModPath(referer: string | null, url: URL): string | null {
  if (!referer || !URL.canParse(referer)) return null
  const ref = new URL(referer)
  return ref.origin === url.origin && ref.pathname.startsWith(MOD_BASE) && ref.pathname !== MOD_VERIFY_PATH ? ref.pathname + ref.search : null
}

/** 403: the console needs a second factor on the member's account first. */
export function setUpFactorPage(r: WebRequest): Response {
  const s = asSignedIn(r)
  return accountPage(
    s,
    {
      title: 'Set up a second factor',
      current: '',
      children: (
        <section class="card">
          <h1>Set up a second factor first</h1>
          <p role="alert">The moderation console needs a second factor on your account, so that your password alone cannot act for the team.</p>
          <p>Add an authenticator app, a passkey or sign-in codes by email on your account's Security page, then come back to the console.</p>
          <p>
            <a class="button" href={SECURITY_PATH}>
              Go to Security
            </a>
          </p>
        </section>
      ),
    },
    { status: 403 },
  )
}
