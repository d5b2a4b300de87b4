// Issue 21, did:web in the account app (headless Chromium): sign-up offers did:web:<handle> with the
// warning in plain words; the Identity view tells a hosted did:web apart; a bring-your-own did:web (its
// document on a loopback server standing for the person's domain) is created through createAccount with
// its own service auth as on the reference, and the Identity view shows the exact document to publish,
// refuses to activate until the domain serves it, then activates.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '@atproto/crypto'
import { createServiceJwt } from '@atproto/xrpc-server'
import { checkView, signIn, startWebHarness, type WebHarness } from './harness.ts'

let h: WebHarness
let domain: ReturnType<typeof Bun.serve>
let published: unknown = null
beforeAll(async () => {
  h = await startWebHarness()
  // The person's own web server: it serves whatever document they published.
  domain = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => (new URL(req.url).pathname === '/.well-known/did.json' && published ? Response.json(published) : new Response('Not Found', { status: 404 })),
  })
}, 120_000)
afterAll(async () => {
  domain?.stop(true)
  await h?.close()
})

test('sign up as did:web:<handle>: the warning is on the form, the Identity view says where the document is', async () => {
  const { page, consoleErrors } = await h.newContext()
  await page.goto('/account/sign-up')
  const box = page.getByLabel('Use did:web:<handle> as my identity (advanced)')
  expect(await page.getByText('It can never move to another server').textContent()).toContain("if you leave this server, you start over with a new identity")
  await page.getByLabel('Handle', { exact: true }).fill('webster')
  await page.getByLabel('Email address').fill('webster@example.com')
  await page.getByLabel('Password', { exact: true }).fill('webster password')
  await page.getByLabel('Password again').fill('webster password')
  await box.check()
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-up'))
  expect(h.server.services.accounts.getAccount('webster.test')?.did).toBe('did:web:webster.test')

  await page.goto('/account/identity')
  expect(await page.getByText('This server publishes your DID document').textContent()).toContain('https://webster.test/.well-known/did.json')
  expect(await page.getByText('cannot move to another server').count()).toBe(1)
  await checkView(page, 'identity-hosted-did-web')
  expect(consoleErrors).toEqual([])
}, 60_000)

test('bring your own did:web: created with its own service auth, the document to publish shown, activation once it is served', async () => {
  const did = `did:web:localhost%3A${domain.port}`
  const key = await Secp256k1Keypair.create()
  published = {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: ['at://byo.test'],
    verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: key.did().slice('did:key:'.length) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://elsewhere.example' }],
  }
  const token = await createServiceJwt({ iss: did, aud: h.server.config.service.did, lxm: 'com.atproto.server.createAccount', keypair: key })
  const agent = new AtpAgent({ service: h.server.url })
  const created = await agent.com.atproto.server.createAccount(
    { did, handle: 'byo.test', email: 'byo@example.com', password: 'byo password' },
    { headers: { authorization: `Bearer ${token}` }, encoding: 'application/json' },
  )
  expect(created.data.did).toBe(did)
  await agent.resumeSession({ ...created.data, active: false })
  expect((await agent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: false, validDid: false })
  // Without the document: activateAccount refuses, as the reference.
  const early = await agent.com.atproto.server.activateAccount().then(() => 'ok', (e) => e.message)
  expect(early).toBe('DID document atproto_pds service endpoint does not match PDS public url')

  const { page, consoleErrors } = await h.newContext()
  await signIn(page, 'byo.test', 'byo password', '/account/identity')
  const shown = JSON.parse((await page.getByLabel('DID document', { exact: true }).textContent())!)
  const creds = (await agent.com.atproto.identity.getRecommendedDidCredentials()).data
  expect(shown).toMatchObject({ id: did, alsoKnownAs: creds.alsoKnownAs, service: [{ id: '#atproto_pds', serviceEndpoint: h.server.config.service.publicUrl }] })
  expect(shown.verificationMethod[0].publicKeyMultibase).toBe((creds.verificationMethods as { atproto: string }).atproto.slice('did:key:'.length))
  expect(await page.getByText(`https://localhost:${domain.port}/.well-known/did.json`).count()).toBeGreaterThan(0)
  await checkView(page, 'identity-byo-did-web')

  // Not published yet: said, nothing changes.
  await page.getByRole('button', { name: 'Check and activate' }).click()
  expect(await page.getByRole('alert').textContent()).toBe('Not yet: DID document atproto_pds service endpoint does not match PDS public url')
  expect((await agent.com.atproto.server.checkAccountStatus()).data.activated).toBe(false)
  // "Reactivate" makes the same check: it says why and leaves the account waiting.
  await page.goto('/account/deactivate')
  await page.getByRole('button', { name: 'Reactivate my account' }).click()
  expect(await page.getByRole('alert').textContent()).toBe('DID document atproto_pds service endpoint does not match PDS public url')
  expect((await agent.com.atproto.server.checkAccountStatus()).data.activated).toBe(false)
  await page.goto('/account/identity')

  // Published exactly as shown: the check passes and the account is active.
  published = shown
  await page.getByRole('button', { name: 'Check and activate' }).click()
  await page.getByText('Your domain publishes a document that names this server.').waitFor()
  expect((await agent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: true, validDid: true })
  expect((await agent.com.atproto.sync.getRepoStatus({ did })).data).toMatchObject({ active: true })
  expect(consoleErrors).toEqual([])
}, 60_000)
