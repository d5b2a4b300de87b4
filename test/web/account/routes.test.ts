// Every route of the account app, read from its route table: signed out, each page but the public ones
// leads to the sign-in page; signed in, each form refuses a missing or wrong CSRF token and a foreign
// Origin, and changes nothing; and junk in every usual field never makes a route fail.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { ROUTES } from '../../../src/web/account/app.ts'
import { startTestServer, type TestServer } from '../../helpers/server.ts'
import { startPlcDirectory } from '../../helpers/plc.ts'
import { signUp } from '../../oauth/flow.ts'
import { Browser, csrfOf } from '../../oauth/hand-client.ts'
import { failuresOnJunk, WEB_FIELDS } from '../junk-routes.ts'

let server: TestServer
let alice: Awaited<ReturnType<typeof signUp>>
beforeAll(async () => {
  server = await startTestServer()
  alice = await signUp(server, 'alice')
})
afterAll(() => server.close())

test('signed out, every page but sign-in, sign-up, forgot-password and move-here leads to the sign-in page', async () => {
  const publicPaths = ROUTES.filter((r) => r.access === 'public').map((r) => r.path)
  // sign-in/new-code: the sign-in code step's "Send a new code" (handle and password again).
  expect(new Set(publicPaths)).toEqual(
    new Set([
      '/account/sign-in',
      '/account/sign-in/new-code',
      '/account/sign-in/passkey',
      '/account/sign-in/passkey/options',
      '/account/sign-up',
      '/account/sign-up/handle-available',
      '/account/sign-up/passkey-options',
      '/account/forgot-password',
      '/account/reset-password',
      '/account/recover',
      '/account/recover/finish',
      '/account/recover/cancel',
      '/account/move-here',
      '/account/move-here/confirm',
      '/account/move-here/forget',
      '/account/restore',
    ]),
  )
  for (const route of ROUTES.filter((r) => r.access !== 'public')) {
    const res = await fetch(server.url + route.path, { method: route.method, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: route.method === 'POST' ? 'x=1' : undefined })
    expect({ route: `${route.method} ${route.path}`, status: res.status, location: res.headers.get('location')?.split('?')[0] }).toEqual({
      route: `${route.method} ${route.path}`,
      status: 303,
      location: '/account/sign-in',
    })
  }
})

test('signed in, every form refuses a missing or wrong token and another site', async () => {
  const browser = new Browser(server.url)
  const page = await browser.get('/account/sign-in')
  expect((await browser.post('/account/sign-in', { csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })).res.status).toBe(303)
  const token = csrfOf((await browser.get('/account')).html)
  const before = JSON.stringify(server.services.accounts.getAccount(alice.did))
  for (const route of ROUTES.filter((r) => r.method === 'POST')) {
    for (const [form, headers] of [
      [{}, {}],
      [{ csrf_token: token.slice(0, -2) + 'xx' }, {}],
      [{ csrf_token: token }, { origin: 'https://evil.example' }],
    ] as const) {
      const res = await browser.post(route.path, { ...form, name: 'x', kind: 'browser', id: 'x' }, headers)
      expect({ route: route.path, status: res.res.status }).toEqual({ route: route.path, status: 403 })
    }
  }
  expect(JSON.stringify(server.services.accounts.getAccount(alice.did))).toBe(before)
  expect(server.services.accounts.webSessions.list(alice.did)).toHaveLength(1)
  expect(server.services.accounts.manager.listAppPasswords(alice.did)).toHaveLength(0)
})

test('signed in, every route given junk in every usual field answers a page or a redirect, never a failure', async () => {
  // Routes that end the session or the account run in their own tests.
  const ending = /sign-out|\/sessions\/revoke|\/delete$|\/deactivate$/
  const browser = new Browser(server.url)
  const signIn = async () => {
    const page = await browser.get('/account/sign-in')
    expect((await browser.post('/account/sign-in', { csrf_token: csrfOf(page.html), identifier: alice.handle, password: alice.password })).res.status).toBe(303)
  }
  await signIn()
  const junk = ['', 'a'.repeat(5000), '\u0000', '../../etc/passwd', '<script>x</script>', '//evil.example', '99999999999999999999', alice.did]
  const routes = ROUTES.filter((r) => !ending.test(r.path))
  expect(await failuresOnJunk(browser, { routes, fields: WEB_FIELDS, junk, tokenPage: '/account', signInPath: '/account/sign-in', signIn })).toEqual([])
}, 60_000)

test('served over https (not a dev server), the cookies are Secure and only the public origin may post', async () => {
  const plc = await startPlcDirectory()
  const prod = await startTestServer({ PDS_DEV_MODE: 'false', PDS_HOSTNAME: 'pds.example.com', PDS_DID_PLC_URL: plc.url })
  try {
    const bob = { handle: 'bob.pds.example.com', password: 'bob-password' }
    await new AtpAgent({ service: prod.url }).createAccount({ email: 'bob@example.com', handle: bob.handle, password: bob.password })
    const browser = new Browser(prod.url)
    const page = await browser.get('/account/sign-in')
    expect(page.res.headers.getSetCookie()).toEqual([expect.stringMatching(/^pds_form=[^;]+; Path=\/account; HttpOnly; SameSite=Lax; Secure$/)])
    const form = { csrf_token: csrfOf(page.html), identifier: bob.handle, password: bob.password }
    // The loopback origin the request came in on is not this server's public origin.
    expect((await browser.post('/account/sign-in', form, { origin: prod.url })).res.status).toBe(403)
    const ok = await browser.post('/account/sign-in', form, { origin: 'https://pds.example.com' })
    expect(ok.res.status).toBe(303)
    expect(ok.res.headers.getSetCookie()).toEqual([expect.stringMatching(/^pds_session=[^;]+; Path=\/account; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/)])
  } finally {
    await prod.close()
    await plc.close()
  }
})

test('every route is under /account, where the server mounts the app (its code loads at the first request)', async () => {
  for (const route of ROUTES) expect(route.path === '/account' || route.path.startsWith('/account/')).toBe(true)
  expect((await fetch(server.url + '/account/no-such-page', { redirect: 'manual' })).status).toBe(404)
  expect((await fetch(server.url + '/account/sign-in/', { redirect: 'manual' })).status).toBe(200)
})
