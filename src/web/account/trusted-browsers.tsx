/** @jsxImportSource ../ui/jsx */
// Trusted browsers in the Security view: the browsers that skip the second factor (remembered after a
// code, for 30 days), this one marked; each can be forgotten, or all at once.
import { ActionButton, Card, When } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { trustedTokens } from '../ui/trusted-browser.ts'
import { trustedBrowserId } from '../../services/factors/trusted-browsers.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { describeDevice } from './sessions.tsx'

const PATH = `${BASE}/security/trusted-browsers`
export const TRUSTED_BROWSER_ROUTES = { forget: `${PATH}/forget`, forgetAll: `${PATH}/forget-all` }

export function TrustedBrowsersCard(p: { s: SignedIn }) {
  const { s } = p
  const browsers = s.app.services.accounts.factors.trustedBrowsers.list(s.account.did)
  const here = new Set(trustedTokens(s.req).map(trustedBrowserId))
  return (
    <Card title="Trusted browsers">
      <p>Browsers where you chose “Remember this browser” after a code: signing in there asks for your password only, for 30 days.</p>
      {browsers.length ? (
        <>
          <ul class="items">
            {browsers.map((b) => (
              <li>
                <div class="what">
                  <strong title={b.userAgent ?? undefined}>{describeDevice(b.userAgent)}</strong> {here.has(b.id) && <span class="badge ok">This browser</span>}
                  <div class="muted small">
                    Remembered <When at={b.createdAt} /> · until <When at={b.expiresAt} />
                    {b.lastUsedAt && (
                      <>
                        {' · last used '}
                        <When at={b.lastUsedAt} />
                      </>
                    )}
                  </div>
                </div>
                <ActionButton action={TRUSTED_BROWSER_ROUTES.forget} csrf={s.csrf} label="Forget" hidden={{ id: b.id }} variant="secondary" small ariaLabel="Forget this trusted browser" />
              </li>
            ))}
          </ul>
          <ActionButton action={TRUSTED_BROWSER_ROUTES.forgetAll} csrf={s.csrf} label="Forget all trusted browsers" variant="secondary" />
        </>
      ) : (
        <p class="muted">No trusted browsers.</p>
      )}
    </Card>
  )
}

/** POST …/trusted-browsers/forget with the id: that browser asks for the code again. */
export function forgetBrowser(r: WebRequest): Response {
  const s = asSignedIn(r)
  s.app.services.accounts.factors.trustedBrowsers.forget(s.account.did, field(r.form, 'id'))
  return seeOther(`${BASE}/security?done=browser-forgotten`)
}

/** POST …/trusted-browsers/forget-all */
export function forgetAllBrowsers(r: WebRequest): Response {
  const s = asSignedIn(r)
  s.app.services.accounts.factors.trustedBrowsers.forgetAll(s.account.did)
  return seeOther(`${BASE}/security?done=browsers-forgotten`)
}
