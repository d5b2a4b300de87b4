/** @jsxImportSource ../ui/jsx */
// /account/sessions: where the account is signed in. Browsers (this app), apps signed in with the
// password or an app password, and apps connected with OAuth, each with Sign out / Revoke; and
// "sign out everywhere else". This replaces the OAuth-only /account page.
import type { WebSessionInfo as WebSessionRow } from '../../services/accounts/web-sessions.ts'
import { ActionButton, Card, Notice, When } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { PageProblem } from '../ui/errors.ts'
import { BASE, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/sessions`
const REFRESH_TTL_MS = 90 * 24 * 60 * 60 * 1000
const NOTICES: Record<string, string> = {
  revoked: 'Signed out. That session can no longer be used.',
  others: 'Every other session was signed out: other browsers, apps using your password or app passwords, and connected apps.',
}

/** "Firefox on Linux" from a user agent, roughly (an app's own name, e.g. "Bluesky on iOS"); the full string is in the title. */
export function describeDevice(ua: string | null): string {
  if (!ua) return 'Unknown browser'
  // Apps that are not browsers name themselves first ("Bluesky/1.90 CFNetwork/…", "okhttp/4.12").
  const app = /^Mozilla\//.test(ua) ? undefined : /^([A-Za-z][\w.-]{0,40})\//.exec(ua)?.[1]
  const browser = app ?? (/Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser')
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : ''
  return os ? `${browser} on ${os}` : browser
}

function Revoke(p: { csrf: string; kind: string; id: string; label: string; what: string }) {
  return <ActionButton action={`${PATH}/revoke`} csrf={p.csrf} label={p.label} hidden={{ kind: p.kind, id: p.id }} variant="secondary" small ariaLabel={`${p.label}: ${p.what}`} />
}

export async function showSessions(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const { accounts, oauth } = s.app.services
  const did = s.account.did
  const browsers = accounts.webSessions.list(did)
  const passwordSessions = accounts.listPasswordSessions(did)
  const apps = (await oauth?.listOAuthSessions(did)) ?? []
  const notice = NOTICES[r.url.searchParams.get('done') ?? '']
  const browserItem = (b: WebSessionRow) => {
    const mine = b.id === s.session.id
    const what = describeDevice(b.userAgent)
    return (
      <li>
        <div class="what">
          <strong title={b.userAgent ?? undefined}>{what}</strong>
          {mine && <span class="badge ok">This browser</span>}
          <div class="muted small">
            Signed in <When at={b.createdAt} /> · last seen <When at={b.lastSeenAt} />
            {b.ipAddress && <> · IP {b.ipAddress}</>}
          </div>
        </div>
        {!mine && <Revoke csrf={s.csrf} kind="browser" id={b.id} label="Sign out" what={what} />}
      </li>
    )
  }
  return accountPage(s, {
    title: 'Sessions',
    current: PATH,
    children: (
      <>
        <h1>Where you are signed in</h1>
        {notice && <Notice kind="ok">{notice}</Notice>}
        <Card title="Browsers">
          <ul class="items">{browsers.map(browserItem)}</ul>
        </Card>
        <Card title="Apps using your password">
          {passwordSessions.length ? (
            <ul class="items">
              {passwordSessions.map((p) => {
                const what = p.appPasswordName ? `App password “${p.appPasswordName}”` : 'Account password'
                return (
                  <li>
                    <div class="what">
                      <strong>{what}</strong>
                      {p.userAgent && <> · <span title={p.userAgent}>{describeDevice(p.userAgent)}</span></>}
                      <div class="muted small">
                        {p.createdAt && p.lastUsedAt ? (
                          <>
                            Signed in <When at={p.createdAt} /> · last used <When at={p.lastUsedAt} />
                          </>
                        ) : (
                          // Sessions begun before the server recorded devices: the refresh token's expiry tells when it was issued.
                          <>
                            Last active about <When at={Date.parse(p.expiresAt) - REFRESH_TTL_MS} />
                          </>
                        )}
                        {p.ipAddress && <> · IP {p.ipAddress}</>}
                      </div>
                    </div>
                    <Revoke csrf={s.csrf} kind="password" id={p.id} label="Sign out" what={what} />
                  </li>
                )
              })}
            </ul>
          ) : (
            <p class="muted">No app is signed in with your password or an app password.</p>
          )}
        </Card>
        <Card title="Connected apps">
          {apps.length ? (
            <ul class="items">
              {apps.map((a) => (
                <li>
                  <div class="what">
                    <strong>{a.clientName}</strong> <span class="muted small">{a.clientHost}</span>
                    <div class="small">It can:</div>
                    <ul class="small">
                      {a.permissions.map((x) => (
                        <li>{x}</li>
                      ))}
                    </ul>
                    <div class="muted small">
                      Connected <When at={a.createdAt} /> · last used <When at={a.lastUsedAt} />
                    </div>
                  </div>
                  <Revoke csrf={s.csrf} kind="oauth" id={a.id} label="Revoke" what={a.clientName} />
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No apps are connected to your account.</p>
          )}
        </Card>
        <Card title="Everywhere else">
          <p>Signs out every other browser, every app using your password or an app password, and every connected app. This browser stays signed in.</p>
          <ActionButton action={`${PATH}/sign-out-others`} csrf={s.csrf} label="Sign out everywhere else" variant="danger" />
        </Card>
      </>
    ),
  })
}

/** POST /account/sessions/revoke (kind = browser | password | oauth, id as listed). */
export function revokeSession(r: WebRequest): Response {
  const s = asSignedIn(r)
  const { accounts, oauth } = s.app.services
  const did = s.account.did
  const id = field(r.form, 'id')
  const kind = field(r.form, 'kind')
  const ended =
    kind === 'browser' ? id !== s.session.id && accounts.webSessions.end(did, id)
    : kind === 'password' ? accounts.revokePasswordSession(did, id)
    : kind === 'oauth' ? !!oauth?.revokeOAuthSession(did, id)
    : false
  // A session refreshed since the page was shown has a new id; the list after a reload has it.
  if (!ended) throw new PageProblem(404, 'Session not found', 'That session has already ended or changed since the page was shown. Reload the sessions page and try again.')
  return seeOther(`${PATH}?done=revoked`)
}

/** POST /account/sessions/sign-out-others */
export function signOutOthers(r: WebRequest): Response {
  const s = asSignedIn(r)
  const { accounts, oauth } = s.app.services
  accounts.webSessions.endOthers(s.account.did, s.session.id)
  accounts.revokeAllPasswordSessions(s.account.did)
  oauth?.revokeAllOAuthSessions(s.account.did)
  return seeOther(`${PATH}?done=others`)
}
