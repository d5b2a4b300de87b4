// The console's gate in headless Chromium: a member without a second factor is told to set one up and can
// neither open a console page nor post a console form; once an authenticator app is set up on the Security
// page, the session (signed in with the password alone) steps up with a code and reaches the queue; a wrong
// code changes nothing; a member signing in with a code or a passkey goes straight in; the step-up takes an
// emailed code or a passkey too; a non-member is not offered the step-up; an admin replaces the label key.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { AtpAgent } from '@atproto/api'
import { totpAt } from '../../../src/services/factors/totp.ts'
import { addPasskey, checkView, csrfOn, fieldError, rawPost, signIn, signOut, startWebHarness, type WebHarness } from '../account/harness.ts'
import { CODE_LABEL, enrolTotp, signInWithFactor } from './helpers.ts'

let h: WebHarness
let teamDid: string
let bob: { agent: AtpAgent; did: string }
let mia: { did: string; password: string }
let post: { uri: string; cid: string }
const ADMIN = 'tools.ozone.team.defs#roleAdmin'

beforeAll(async () => {
  h = await startWebHarness({ PDS_MOD_TEAM_HANDLE: 'mod.test' })
  await h.signUp('mod')
  const res = await fetch(`${h.server.url}/_admin/moderation/enable`, { method: 'POST', headers: { authorization: h.server.adminAuth }, body: JSON.stringify({ account: 'mod.test' }) })
  teamDid = ((await res.json()) as { did: string }).did
  bob = await h.signUp('bob')
  mia = await h.signUp('mia')
  await h.server.services.moderation.team.add({ did: teamDid, role: ADMIN }, mia.did, 'tools.ozone.team.defs#roleModerator')
  post = await bob.agent.post({ text: 'a post', createdAt: new Date().toISOString() })
})

afterAll(async () => {
  await h.close()
})

const events = async () => (await h.server.services.moderation.queries.queryEvents({ subject: post.uri })).events.length

test('a member without a second factor is told to set one up; after setting up an authenticator app the session steps up and reaches the queue', async () => {
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, 'mia.test', mia.password, '/mod')
  // Refused with the way forward: the Security page.
  await page.getByRole('heading', { name: 'Set up a second factor first' }).waitFor()
  expect(new URL(page.url()).pathname).toBe('/account/mod')
  const refused = await page.request.get(`${h.server.url}/account/mod/team`)
  expect(refused.status()).toBe(403)
  await checkView(page, 'mod-needs-factor')
  // A console form posted anyway does nothing.
  const before = await events()
  const forged = await rawPost(context, h.server.url, '/account/mod/act', { csrf_token: await csrfOn(page), subject: post.uri, cid: post.cid, action: 'acknowledge' }, { origin: h.server.url })
  expect(forged.status).toBe(403)
  expect(await forged.text()).toContain('Set up a second factor first')
  expect(await events()).toBe(before)
  // The step-up page has nothing to offer yet: the same refusal.
  await page.goto('/account/mod/verify')
  await page.getByRole('heading', { name: 'Set up a second factor first' }).waitFor()

  // Set up an authenticator app on the Security page (the link), as a member would.
  await page.getByRole('link', { name: 'Go to Security' }).click()
  await page.getByRole('button', { name: 'Set up authenticator app' }).click()
  const secret = (await page.locator('#totp-secret').textContent())!.trim()
  await page.getByLabel('Code from your app').fill(totpAt(secret, Date.now()))
  await page.getByRole('button', { name: 'Turn on' }).click()
  await page.getByRole('heading', { name: 'Your backup codes' }).waitFor()

  // This session gave no factor at sign-in: the console asks for it first, then goes where it was asked to.
  await page.goto('/account/mod/team')
  await page.waitForURL('**/account/mod/verify?next=%2Faccount%2Fmod%2Fteam')
  await page.getByRole('heading', { name: 'Confirm with your second factor' }).waitFor()
  await checkView(page, 'mod-step-up')
  // A form posted before the step-up is not applied either: it leads to the step-up.
  const early = await rawPost(context, h.server.url, '/account/mod/act', { csrf_token: await csrfOn(page), subject: post.uri, cid: post.cid, action: 'acknowledge' }, { origin: h.server.url })
  expect(early.status).toBe(303)
  expect(early.headers.get('location')).toStartWith('/account/mod/verify?next=')
  expect(await events()).toBe(before)
  // A wrong code is said beside the field; still no console.
  await page.getByLabel(CODE_LABEL).fill(totpAt(secret, Date.now() + 10 * 60_000))
  await page.getByRole('button', { name: 'Continue' }).click()
  expect(await fieldError(page, CODE_LABEL)).toBe('Token is invalid')
  expect((await page.request.get(`${h.server.url}/account/mod`, { maxRedirects: 0 })).status()).toBe(303)
  // The right one (the next step's code: the set-up used this one) opens the console.
  await page.getByLabel(CODE_LABEL).fill(totpAt(secret, Date.now() + 30_000))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL('**/account/mod/team')
  await page.getByRole('heading', { name: 'Team', exact: true }).waitFor()
  await page.getByRole('link', { name: 'Reports' }).click()
  await page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  await checkView(page, 'mod-queue-after-step-up')
  // Its forms work now.
  const ok = await rawPost(context, h.server.url, '/account/mod/act', { csrf_token: await csrfOn(page), subject: post.uri, cid: post.cid, action: 'acknowledge' }, { origin: h.server.url })
  expect(ok.status).toBe(303)
  expect(await events()).toBe(before + 1)
  expect(consoleErrors).toEqual([])
  await context.close()
}, 60_000)

test('a member who signs in with a code goes straight in; an old factor is asked for again', async () => {
  const lead = (await h.server.services.accounts.getAccount('mod.test'))!
  await enrolTotp(h, lead.did)
  const { context, page, consoleErrors } = await h.newContext()
  await signInWithFactor(page, { identifier: 'mod.test', password: 'mod-password', did: lead.did, next: '/mod' })
  await page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  // Thirteen hours later the session still stands, but the console asks for the factor again.
  h.server.services.accounts.manager.db.query('UPDATE web_session SET factorAt = factorAt - ? WHERE did = ?').run(13 * 3600_000, lead.did)
  await page.goto('/account/mod')
  await page.waitForURL('**/account/mod/verify?next=%2Faccount%2Fmod')
  expect(consoleErrors).toEqual([])
  await context.close()
}, 60_000)

test('a non-member is refused, not offered the step-up', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, 'bob.test', 'bob-password', '/account/mod/verify')
  await page.getByRole('heading', { name: 'Not on the moderation team' }).waitFor()
  await context.close()
}, 30_000)

test('an admin replaces the labeler\'s signing key from the labels page; a moderator sees the key and cannot', async () => {
  const lead = (await h.server.services.accounts.getAccount('mod.test'))!
  const before = h.server.services.moderation.labelKey()!
  const { context, page, consoleErrors } = await h.newContext()
  await signInWithFactor(page, { identifier: 'mod.test', password: 'mod-password', did: lead.did, next: '/account/mod/labels' })
  await page.getByText(before).waitFor()
  await page.getByRole('button', { name: 'Replace the signing key' }).click()
  await page.getByText('The labeler has a new signing key').waitFor()
  const after = h.server.services.moderation.labelKey()!
  expect(after).not.toBe(before)
  await page.getByText(after).waitFor()
  const doc = await h.server.services.accounts.didDocFor(teamDid)
  expect(doc?.verificationMethod?.find((m) => m.id.endsWith('#atproto_label'))?.publicKeyMultibase).toBe(after.slice('did:key:'.length))
  await checkView(page, 'mod-labels-key')
  expect(consoleErrors).toEqual([])
  await context.close()

  const kai = await h.signUp('kai')
  await h.server.services.moderation.team.add({ did: teamDid, role: ADMIN }, kai.did, 'tools.ozone.team.defs#roleModerator')
  await enrolTotp(h, kai.did)
  const other = await h.newContext()
  await signInWithFactor(other.page, { identifier: 'kai.test', password: kai.password, did: kai.did, next: '/account/mod/labels' })
  await other.page.getByText(after).waitFor()
  expect(await other.page.getByRole('button', { name: 'Replace the signing key' }).count()).toBe(0)
  const forged = await rawPost(other.context, h.server.url, '/account/mod/labels/rotate-key', { csrf_token: await csrfOn(other.page) }, { origin: h.server.url })
  expect(forged.status).toBe(403)
  expect(h.server.services.moderation.labelKey()).toBe(after)
  await other.context.close()
}, 60_000)

test('step-up with an emailed code, and with a passkey', async () => {
  const eli = await h.signUp('eli')
  await h.server.services.moderation.team.add({ did: teamDid, role: ADMIN }, eli.did, 'tools.ozone.team.defs#roleTriage')
  await eli.agent.com.atproto.server.requestEmailConfirmation()
  await eli.agent.com.atproto.server.confirmEmail({ email: eli.email, token: await h.smtp.tokenFor(eli.email) })
  const mail = await h.newContext()
  await signIn(mail.page, 'eli.test', eli.password, '/account')
  await h.server.services.accounts.factors.setEmailAuthFactor(eli.did, true)
  await mail.page.goto('/account/mod')
  await mail.page.waitForURL('**/account/mod/verify?next=%2Faccount%2Fmod')
  await mail.page.getByRole('button', { name: 'Send me a code' }).click()
  await mail.page.getByText('A sign in code has been sent to your email address.').waitFor()
  await mail.page.getByLabel(CODE_LABEL).fill(await h.smtp.tokenFor(eli.email))
  await mail.page.getByRole('button', { name: 'Continue' }).click()
  await mail.page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  expect(mail.consoleErrors).toEqual([])
  await mail.context.close()

  const pia = await h.signUp('pia')
  await h.server.services.moderation.team.add({ did: teamDid, role: ADMIN }, pia.did, 'tools.ozone.team.defs#roleTriage')
  const { context, page, consoleErrors } = await h.newContext({ passkeys: true })
  await signIn(page, 'pia.test', pia.password, '/account')
  await addPasskey(page, 'Laptop')
  await page.goto('/account/mod/scheduled')
  await page.waitForURL('**/account/mod/verify?next=%2Faccount%2Fmod%2Fscheduled')
  // A passkey-only factor: no code field, the passkey button.
  expect(await page.getByLabel(CODE_LABEL).count()).toBe(0)
  await page.getByRole('button', { name: 'Confirm with a passkey' }).click()
  await page.waitForURL('**/account/mod/scheduled')
  await page.getByRole('heading', { name: 'Scheduled actions' }).waitFor()
  // Signing in with the passkey itself gives the factor: the console opens with no step-up.
  await signOut(page)
  await page.goto('/account/sign-in?next=/account/mod')
  await page.getByRole('button', { name: 'Use a passkey' }).click()
  await page.waitForURL('**/account/mod')
  await page.getByRole('heading', { name: 'Open subjects' }).waitFor()
  expect(consoleErrors).toEqual([])
  await context.close()
}, 60_000)
