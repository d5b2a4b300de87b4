// The console's sign-in: the admin password through a form, a cookie session (HttpOnly, SameSite=Strict),
// CSRF on every POST, wrong passwords refused and recorded nowhere as a session; sign-out ends it.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { csrfOn, rawPost, startWebHarness, type WebHarness } from '../account/harness.ts'
import { adminSignIn, checkView } from './helpers.ts'
import { ADMIN_ROUTES } from '../../../src/web/admin/app.ts'
import { Browser, csrfOf } from '../../oauth/hand-client.ts'
import { failuresOnJunk, WEB_FIELDS } from '../junk-routes.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

test('the admin password signs in; a wrong one does not', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await page.goto('/admin/accounts')
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
  await checkView(page, 'sign-in')

  await page.getByLabel('Admin password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('That is not the admin password.').waitFor()
  expect((await context.cookies()).some((c) => c.name === 'pds_admin_session')).toBe(false)

  await page.getByLabel('Admin password').fill(h.server.config.secrets.adminPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/admin/accounts')
  const session = (await context.cookies()).find((c) => c.name === 'pds_admin_session')!
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin', secure: false })

  await page.goto('/admin')
  await page.getByRole('heading', { name: 'Server', exact: true }).waitFor()
  await checkView(page, 'server')
  // No moderation team here: reports go to the report service, and the reports page says so.
  await page.goto('/admin/reports')
  await page.getByText('No moderation team on this server').waitFor()

  const audit = (await (await fetch(`${h.server.url}/_admin/audit?limit=1`, { headers: h.adminHeaders })).json()) as { entries: unknown[] }
  expect(audit.entries[0]).toMatchObject({ action: 'sign-in', actor: 'admin', subject: '', ip: '127.0.0.1' })

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You are signed out.').waitFor()
  await page.goto('/admin')
  expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('posts without the CSRF token, with a wrong one or from another site are refused', async () => {
  const { context, page } = await h.newContext()
  await adminSignIn(page, '/admin/invites')
  const token = await csrfOn(page)
  const before = h.server.services.accounts.listInviteCodes(undefined, 1000).codes.length

  const missing = await rawPost(context, h.server.url, '/admin/invites/create', { uses: '1' })
  expect(missing.status).toBe(403)
  expect(await missing.text()).toContain('This form could not be accepted')
  const wrong = await rawPost(context, h.server.url, '/admin/invites/create', { uses: '1', csrf_token: token.slice(0, -2) + 'xx' })
  expect(wrong.status).toBe(403)
  const crossSite = await rawPost(context, h.server.url, '/admin/invites/create', { uses: '1', csrf_token: token }, { origin: 'https://evil.example' })
  expect(crossSite.status).toBe(403)
  expect(h.server.services.accounts.listInviteCodes(undefined, 1000).codes.length).toBe(before)

  // The same post with the page's token is accepted: the refusals above were the token's and origin's.
  const right = await rawPost(context, h.server.url, '/admin/invites/create', { uses: '1', csrf_token: token }, { origin: h.server.url })
  expect(right.status).toBe(200)
  expect(h.server.services.accounts.listInviteCodes(undefined, 1000).codes.length).toBe(before + 1)

  // The sign-in form is protected too: a password posted without the form's token starts nothing.
  const signIn = await fetch(`${h.server.url}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password: h.server.config.secrets.adminPassword }),
  })
  expect(signIn.status).toBe(403)
  expect(signIn.headers.getSetCookie().some((c) => c.startsWith('pds_admin_session='))).toBe(false)
  await context.close()
})

test('without a session every console page leads to the sign-in and every post is refused', async () => {
  // The console is mounted (and loaded at its first request) under /admin: every route must live there.
  expect(ADMIN_ROUTES.filter((r) => !r.path.startsWith('/admin')).map((r) => r.path)).toEqual([])
  expect((await fetch(`${h.server.url}/admin/no-such-page`)).status).toBe(404)
  for (const path of ['/admin', '/admin/accounts', '/admin/invites', '/admin/audit', '/admin/accounts/view?did=did:plc:x']) {
    const res = await fetch(h.server.url + path, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toStartWith('/admin/sign-in?next=')
  }
  const post = await fetch(`${h.server.url}/admin/accounts/takedown`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'did=did:plc:x&reason=x' })
  expect(post.status).toBe(303)
  expect(post.headers.get('location')).toStartWith('/admin/sign-in')
})

test('signed in, every console route given junk in every usual field answers a page or a redirect, never a failure', async () => {
  const browser = new Browser(h.server.url)
  const signIn = async () => {
    const page = await browser.get('/admin/sign-in')
    const res = await browser.post('/admin/sign-in', { csrf_token: csrfOf(page.html), password: h.server.config.secrets.adminPassword, next: '/admin' })
    expect(res.res.status).toBe(303)
  }
  await signIn()
  const junk = ['', 'a'.repeat(5000), '\u0000', '../../etc/passwd', '<script>x</script>', '//evil.example', '-1', '99999999999999999999', 'did:plc:' + 'z'.repeat(24)]
  const routes = ADMIN_ROUTES.filter((r) => !r.path.endsWith('/sign-out'))
  expect(await failuresOnJunk(browser, { routes, fields: WEB_FIELDS, junk, tokenPage: '/admin', signInPath: '/admin/sign-in', signIn })).toEqual([])
})
