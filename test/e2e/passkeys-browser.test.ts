// Passkeys in headless Chromium with a CDP virtual authenticator (WebAuthn.addVirtualAuthenticator):
// register from the page, sign in username-less, replayed and tampered responses, removal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import type { AccountHarness } from './account-harness.ts'
import { openPasskeyPage, type PasskeyPage } from './passkey-page.ts'

let p: PasskeyPage
let owner: Awaited<ReturnType<AccountHarness['signUp']>>
let h: AccountHarness
let page: PasskeyPage['page']
let call: PasskeyPage['call']
let getAssertion: PasskeyPage['getAssertion']

beforeAll(async () => {
  p = await openPasskeyPage()
  ;({ h, page, call, getAssertion } = p)
  owner = await h.signUp('pia')
}, 60_000)
afterAll(async () => {
  await p?.close()
})

async function register(name: string, token = owner.agent.session!.accessJwt) {
  const options = await call('/passkeys/register/options', {}, token)
  expect(options.status).toBe(200)
  expect(options.body.rp).toEqual({ name: 'localhost', id: 'localhost' })
  return call('/passkeys/register', { name, response: await p.createCredential(options.body) }, token)
}

async function freshAssertion() {
  const options = await call('/passkeys/login/options', {})
  expect(options.status).toBe(200)
  return getAssertion(options.body)
}

describe('passkeys', () => {
  test('register from the browser, then sign in without a username', async () => {
    const added = await register('laptop')
    expect(added.status).toBe(200)
    expect(added.body).toMatchObject({ name: 'laptop', lastUsedAt: null })
    expect(h.smtp.mails.findLast((m) => m.to.includes(owner.email))?.raw).toContain('A passkey was added')
    const listed = (await page.evaluate(
      async (token) => (await fetch('/passkeys', { headers: { authorization: `Bearer ${token}` } })).json(),
      owner.agent.session!.accessJwt,
    )) as { passkeys: { name: string }[] }
    expect(listed.passkeys.map((p: { name: string }) => p.name)).toEqual(['laptop'])

    const assertion = await freshAssertion()
    const session = await call('/passkeys/login', { response: assertion })
    expect(session.status).toBe(200)
    expect(session.body).toMatchObject({ did: owner.did, handle: owner.handle })
    const agent = new AtpAgent({ service: h.server.url })
    await agent.resumeSession({ ...(session.body as { accessJwt: string; refreshJwt: string; did: string; handle: string }), active: true })
    expect((await agent.com.atproto.server.getSession()).data.did).toBe(owner.did)
    expect(h.server.services.accounts.factors.passkeys.list(owner.did)[0]!.lastUsedAt).toBeTruthy()

    // The challenge was spent: the same response again is refused.
    const replay = await call('/passkeys/login', { response: assertion })
    expect(replay).toMatchObject({ status: 400, body: { error: 'InvalidToken' } })
  }, 30_000)

  test('a response for another origin or RP ID, malformed responses and missing ceremonies are refused', async () => {
    const assertion = await freshAssertion()
    const clientData = JSON.parse(Buffer.from(assertion.response.clientDataJSON, 'base64url').toString())
    const tampered = { ...assertion, response: { ...assertion.response, clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, origin: 'https://evil.example' })).toString('base64url') } }
    const wrongOrigin = await call('/passkeys/login', { response: tampered })
    expect(wrongOrigin.status).toBe(400)
    expect(wrongOrigin.body.message).toContain('origin')

    // Signed for another RP ID: the authenticator data's RP ID hash is not sha256('localhost').
    const second = await freshAssertion()
    const authData = Buffer.from(second.response.authenticatorData, 'base64url')
    authData.fill(7, 0, 32)
    const wrongRp = await call('/passkeys/login', { response: { ...second, response: { ...second.response, authenticatorData: authData.toString('base64url') } } })
    expect(wrongRp.status).toBe(400)
    expect(wrongRp.body.message).toContain('RP ID')

    for (const response of [undefined, 'garbage', { id: 'nope' }, { ...assertion, response: { clientDataJSON: 'x' } }]) {
      expect((await call('/passkeys/login', { response })).status).toBe(400)
    }
    const token = owner.agent.session!.accessJwt
    const noCeremony = await call('/passkeys/register', { name: 'x', response: { id: 'a' } }, token)
    expect(noCeremony).toMatchObject({ status: 400, body: { error: 'InvalidToken' } })
    expect(noCeremony.body.message).toContain('No passkey registration is in progress')
    await call('/passkeys/register/options', {}, token)
    expect((await call('/passkeys/register', { name: 'x', response: { id: 'a', response: {} } }, token)).status).toBe(400)
    expect((await call('/passkeys/register', { response: {} }, token)).status).toBe(400)
  }, 30_000)

  test('only a full session manages passkeys; removal ends sign-in with that passkey', async () => {
    expect((await call('/passkeys/register/options', {})).status).toBe(401)
    const { data: appPw } = await owner.agent.com.atproto.server.createAppPassword({ name: 'pk-app' })
    const viaApp = new AtpAgent({ service: h.server.url })
    await viaApp.login({ identifier: owner.handle, password: appPw.password })
    expect((await call('/passkeys/register/options', {}, viaApp.session!.accessJwt)).body.error).toBe('InvalidToken')

    // A second account on the same authenticator (the first one's passkey would be excluded).
    const other = await h.signUp('pax')
    const token = other.agent.session!.accessJwt
    const added = await register('phone', token)
    expect(added.status).toBe(200)
    const removed = await call('/passkeys/remove', { id: added.body.id }, token)
    expect(removed.status).toBe(200)
    expect(h.server.services.accounts.factors.auditTrail(other.did).map((a) => a.action)).toEqual(['passkey-added', 'passkey-removed'])
    // The virtual authenticator still offers both; pick the removed one explicitly.
    const options = (await call('/passkeys/login/options', {})).body
    const assertion = await getAssertion({ ...options, allowCredentials: [{ id: added.body.id, type: 'public-key' }] })
    const refused = await call('/passkeys/login', { response: assertion })
    expect(refused).toMatchObject({ status: 400, body: { message: 'This passkey is not registered here.' } })
    expect((await call('/passkeys/remove', { id: added.body.id }, token)).status).toBe(400)
  }, 30_000)
})
