// What the web apps' junk tests share: every route of a route table, signed in, given the same junk
// value in every listed field (a query string for pages, a form with a valid CSRF token for posts).
import type { Browser } from '../oauth/hand-client.ts'
import { csrfOf } from '../oauth/hand-client.ts'

/** The names of the query parameters and form fields the web apps read (from their sources), and a few more. */
export const WEB_FIELDS = [
  'action', 'added', 'address', 'adultOnly', 'again', 'back', 'blurs', 'c', 'cancelled', 'changed', 'channel', 'checked', 'cid', 'code',
  'collection', 'comment', 'confirm', 'content', 'credential', 'cursor', 'defaultSetting', 'deleted', 'description', 'did', 'didWeb',
  'disabled', 'do', 'domain', 'done', 'durationInHours', 'email', 'filter', 'for', 'from', 'handle', 'id', 'identifier', 'invite',
  'inviteCode', 'kind', 'label', 'labels', 'member', 'name', 'newPassword', 'next', 'notice', 'on', 'page', 'password', 'preferred',
  'privileged', 'problem', 'q', 'queue', 'reason', 'remember', 'removed', 'request_uri', 'response', 'rkey', 'role', 'rotated',
  'rotationKey', 's', 'saved', 'sent', 'severity', 'sort', 'state', 'status', 'step', 'subject', 'subjectLine', 'suffix', 'template',
  'token', 'type', 'uri', 'uses', 'value', 'with',
]

export type JunkRun = {
  routes: ReadonlyArray<{ method: 'GET' | 'POST'; path: string }>
  fields: readonly string[]
  junk: readonly string[]
  /** A page of the app that carries a CSRF token for the session. */
  tokenPage: string
  /** Where the app sends a browser that must sign in (again): `signIn` runs then. */
  signInPath: string
  signIn: () => Promise<void>
}

/** The routes that failed (a 5xx, or the apps' "Something went wrong" page), as `METHOD path value -> status`. */
export async function failuresOnJunk(browser: Browser, run: JunkRun): Promise<string[]> {
  const failures: string[] = []
  for (const route of run.routes) {
    for (const value of run.junk) {
      const form = Object.fromEntries(run.fields.map((f) => [f, value]))
      const { res, html } =
        route.method === 'GET'
          ? await browser.get(`${route.path}?${new URLSearchParams(form)}`)
          : await browser.post(route.path, { ...form, csrf_token: csrfOf((await browser.get(run.tokenPage)).html) })
      if (res.status >= 500 || html.includes('Something went wrong')) failures.push(`${route.method} ${route.path} ${JSON.stringify(value).slice(0, 20)} -> ${res.status}`)
      // A route that ended the session (or took a junk value for the password): sign in again.
      if (res.headers.get('location')?.startsWith(run.signInPath)) await run.signIn()
    }
  }
  return failures
}
