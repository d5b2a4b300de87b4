// Every moderation console route, as an admin of the team signed in with a second factor, given junk in
// every usual field: a page or a redirect, never a failure (the console's own flows are in the browser
// tests beside this one).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { MOD_ROUTES } from '../../../src/web/mod/routes.ts'
import { Browser, csrfOf } from '../../oauth/hand-client.ts'
import { failuresOnJunk, WEB_FIELDS } from '../junk-routes.ts'
import { startTestServer, type TestServer } from '../../helpers/server.ts'

let server: TestServer
let teamDid: string
beforeAll(async () => {
  server = await startTestServer({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  await new AtpAgent({ service: server.url }).createAccount({ handle: 'mod.test', email: 'mod@example.com', password: 'mod-password' })
  const res = await fetch(`${server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  expect(res.status).toBe(200)
  teamDid = ((await res.json()) as { did: string }).did
})
afterAll(() => server.close())

test('as a team admin, every console route given junk in every usual field answers a page or a redirect, never a failure', async () => {
  const member = new AtpAgent({ service: server.url })
  await member.createAccount({ handle: 'lead.test', email: 'lead@example.com', password: 'lead-password' })
  const did = member.session!.did
  await server.services.moderation.team.add({ did: teamDid, role: 'tools.ozone.team.defs#roleAdmin' }, did, 'tools.ozone.team.defs#roleAdmin')
  const factors = server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(did)
  const backupCodes = (await factors.finishTotpSetup(did, totpAt(secret, Date.now()))).backupCodes

  const browser = new Browser(server.url)
  const signIn = async () => {
    const form = { csrf_token: csrfOf((await browser.get('/account/sign-in')).html), identifier: 'lead.test', password: 'lead-password', next: '/account/mod' }
    const asked = await browser.post('/account/sign-in', form)
    const done = await browser.post('/account/sign-in', { ...form, csrf_token: csrfOf(asked.html) || form.csrf_token, code: backupCodes.shift()! })
    expect(done.res.status).toBe(303)
    expect((await browser.get('/account/mod')).res.status).toBe(200)
  }
  await signIn()
  const junk = ['', 'a'.repeat(5000), '\u0000', '<script>x</script>', '//evil.example', '-1', '99999999999999999999', 'at://did:plc:zzzzzzzzzzzzzzzzzzzzzzzz/app.bsky.feed.post/x']
  expect(await failuresOnJunk(browser, { routes: MOD_ROUTES, fields: WEB_FIELDS, junk, tokenPage: '/account/mod', signInPath: '/account/sign-in', signIn })).toEqual([])
}, 60_000)
