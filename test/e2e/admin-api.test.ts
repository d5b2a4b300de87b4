// The admin API beyond takedowns: account views, invite switches, handle/email/password changes and
// moderator email. Moderator methods accept the admin password or the mod service's JWT; the
// account-changing ones accept only the admin password (as the reference's adminToken).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { createGenesisOp } from '../../src/services/identity/plc-ops.ts'
import { createServiceJwt } from '../../src/services/service-auth/index.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../helpers/server.ts'

let plc: TestPlc
let smtp: TestSmtp
let server: TestServer
const modKey = Secp256k1Keypair.create()
let modDid: string
const users: Record<string, { did: string; agent: AtpAgent; password: string }> = {}
const identityEvents: Array<[string, string | undefined]> = []
let signupCode: string

/** Registers the moderation service's DID (with its #atproto key) in the test PLC directory. */
async function registerModService(): Promise<string> {
  const { did, op } = createGenesisOp({ signingKey: modKey.did(), rotationKeys: [modKey.did()], handle: 'mod.example.com', pds: 'https://mod.example.com', signer: modKey })
  const res = await fetch(`${plc.url}/${did}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(op) })
  expect(res.status).toBe(200)
  return did
}

beforeAll(async () => {
  plc = await startPlcDirectory()
  smtp = await startSmtpSink()
  modDid = await registerModService()
  server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_MOD_SERVICE_DID: modDid,
    PDS_MOD_SERVICE_URL: 'https://mod.example.com',
    PDS_MODERATION_EMAIL_SMTP_URL: smtp.url,
    PDS_MODERATION_EMAIL_ADDRESS: 'moderation@localhost',
    PDS_INVITE_REQUIRED: 'true',
  })
  const events = server.services.events
  const identity = events.identity.bind(events)
  events.identity = (d, handle) => {
    identityEvents.push([d, handle])
    return identity(d, handle)
  }
  signupCode = (await admin('com.atproto.server.createInviteCode', { body: { useCount: 2 } })).body.code
  for (const name of ['alice', 'bob']) {
    const agent = new AtpAgent({ service: server.url })
    const password = `${name}-password`
    const res = await agent.createAccount({ email: `${name}@example.com`, handle: `${name}.test`, password, inviteCode: signupCode })
    users[name] = { did: res.data.did, agent, password }
  }
})

afterAll(async () => {
  await server?.close()
  await smtp?.close()
  await plc?.close()
})

type Auth = string | undefined
const modJwt = (lxm: string, iss = modDid, key = modKey) => `Bearer ${createServiceJwt({ iss, aud: server.config.service.did, lxm, keypair: key })}`

async function call(nsid: string, auth: Auth, opts: { params?: Record<string, string | string[]>; body?: unknown } = {}) {
  const url = new URL(`${server.url}/xrpc/${nsid}`)
  for (const [k, v] of Object.entries(opts.params ?? {})) for (const one of [v].flat()) url.searchParams.append(k, one)
  const headers: Record<string, string> = auth ? { authorization: auth } : {}
  const init: RequestInit = opts.body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(opts.body) }
  const res = await fetch(url, init)
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

const admin = (nsid: string, opts?: Parameters<typeof call>[2]) => call(nsid, server.adminAuth, opts)
const info = async (did: string) => (await admin('com.atproto.admin.getAccountInfo', { params: { did } })).body

describe('authorisation', () => {
  const moderatorCalls = (): Array<[string, Parameters<typeof call>[2]]> => [
    ['com.atproto.admin.getAccountInfo', { params: { did: users.alice!.did } }],
    ['com.atproto.admin.getAccountInfos', { params: { dids: [users.alice!.did] } }],
    ['com.atproto.admin.disableAccountInvites', { body: { account: users.alice!.did } }],
    ['com.atproto.admin.enableAccountInvites', { body: { account: users.alice!.did } }],
    ['com.atproto.admin.sendEmail', { body: { recipientDid: users.alice!.did, content: 'hi', senderDid: modDid } }],
  ]
  const adminOnlyCalls = (): Array<[string, Parameters<typeof call>[2]]> => [
    ['com.atproto.admin.updateAccountHandle', { body: { did: users.bob!.did, handle: 'bob.test' } }],
    ['com.atproto.admin.updateAccountEmail', { body: { account: users.bob!.did, email: 'bob@example.com' } }],
    ['com.atproto.admin.updateAccountPassword', { body: { did: users.bob!.did, password: users.bob!.password } }],
  ]

  test('no credentials, a wrong admin password or a user access token are refused (401)', async () => {
    const userToken = `Bearer ${users.alice!.agent.session!.accessJwt}`
    const wrongBasic = 'Basic ' + btoa('admin:wrong-password')
    const notAdminUser = 'Basic ' + btoa(`alice:${TEST_ADMIN_PASSWORD}`)
    for (const [nsid, opts] of [...moderatorCalls(), ...adminOnlyCalls()]) {
      for (const auth of [undefined, wrongBasic, notAdminUser, userToken]) {
        const res = await call(nsid, auth, opts)
        expect([nsid, res.status]).toEqual([nsid, 401])
      }
    }
  })

  test('the mod service JWT works for moderator methods only, for the method it names, from the trusted issuer', async () => {
    const did = users.alice!.did
    const ok = await call('com.atproto.admin.getAccountInfo', modJwt('com.atproto.admin.getAccountInfo'), { params: { did } })
    expect(ok.status).toBe(200)
    expect(ok.body.did).toBe(did)
    const labeler = await call('com.atproto.admin.getAccountInfo', modJwt('com.atproto.admin.getAccountInfo', `${modDid}#atproto_labeler`), { params: { did } })
    expect(labeler.status).toBe(200)
    const wrongLxm = await call('com.atproto.admin.getAccountInfo', modJwt('com.atproto.admin.getAccountInfos'), { params: { did } })
    expect(wrongLxm.status).toBe(401)
    const untrusted = await call('com.atproto.admin.getAccountInfo', modJwt('com.atproto.admin.getAccountInfo', did, Secp256k1Keypair.create()), { params: { did } })
    expect(untrusted).toMatchObject({ status: 401, body: { error: 'UntrustedIss' } })
    const forged = await call('com.atproto.admin.getAccountInfo', modJwt('com.atproto.admin.getAccountInfo', modDid, Secp256k1Keypair.create()), { params: { did } })
    expect(forged.status).toBe(401)
    for (const [nsid, opts] of adminOnlyCalls()) {
      expect([nsid, (await call(nsid, modJwt(nsid), opts)).status]).toEqual([nsid, 401])
    }
  })
})

describe('account views', () => {
  test('getAccountInfo returns the accountView', async () => {
    const { did } = users.alice!
    const view = await info(did)
    expect(view).toEqual({
      did,
      handle: 'alice.test',
      email: 'alice@example.com',
      indexedAt: expect.any(String),
      invitedBy: expect.objectContaining({ code: signupCode, available: 2, disabled: false, uses: expect.arrayContaining([expect.objectContaining({ usedBy: did })]) }),
      invites: [],
      invitesDisabled: false,
    })
    expect(Number.isNaN(Date.parse(view.indexedAt))).toBe(false)
  })

  test('getAccountInfo shows the invite codes of the account and its deactivation', async () => {
    const { did } = users.alice!
    const created = await admin('com.atproto.server.createInviteCodes', { body: { codeCount: 1, useCount: 2, forAccounts: [did] } })
    expect(created.status).toBe(200)
    const code = created.body.codes[0].codes[0]
    const view = await info(did)
    expect(view.invites).toEqual([expect.objectContaining({ code, available: 2, disabled: false, forAccount: did, uses: [] })])
    await users.alice!.agent.com.atproto.server.deactivateAccount({})
    expect((await info(did)).deactivatedAt).toEqual(expect.any(String))
    await users.alice!.agent.com.atproto.server.activateAccount()
    expect((await info(did)).deactivatedAt).toBeUndefined()
  })

  test('createInviteCodes/createInviteCode: counts out of range are a 400 and nothing is created', async () => {
    const before = (await admin('com.atproto.admin.getInviteCodes', { params: { limit: '500' } })).body.codes.length
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['com.atproto.server.createInviteCodes', { codeCount: 1e20, useCount: 1 }, 'codeCount must be a whole number of at least 0'],
      ['com.atproto.server.createInviteCodes', { codeCount: -1, useCount: 1 }, 'codeCount must be a whole number of at least 0'],
      ['com.atproto.server.createInviteCodes', { codeCount: 10_001, useCount: 1 }, 'Too many invite codes: 10001 for each of 1 accounts; at most 10000 in one request'],
      ['com.atproto.server.createInviteCodes', { codeCount: 5001, useCount: 1, forAccounts: [users.alice!.did, users.bob!.did] }, 'Too many invite codes: 5001 for each of 2 accounts; at most 10000 in one request'],
      ['com.atproto.server.createInviteCodes', { codeCount: 1, useCount: 0 }, 'useCount must be a whole number of at least 1'],
      ['com.atproto.server.createInviteCode', { useCount: 1e308 }, 'useCount must be a whole number of at least 1'],
      ['com.atproto.server.createInviteCode', { useCount: -5 }, 'useCount must be a whole number of at least 1'],
    ]
    for (const [nsid, body, message] of cases) {
      expect({ nsid, body, res: await admin(nsid, { body }) }).toEqual({ nsid, body, res: expect.objectContaining({ status: 400, body: { error: 'InvalidRequest', message } }) })
    }
    expect((await admin('com.atproto.admin.getInviteCodes', { params: { limit: '500' } })).body.codes.length).toBe(before)
    // The bound itself is fine.
    const many = await admin('com.atproto.server.createInviteCodes', { body: { codeCount: 5000, useCount: 1, forAccounts: [users.alice!.did, users.bob!.did] } })
    expect(many.status).toBe(200)
    expect(many.body.codes.map((c: { codes: string[] }) => c.codes.length)).toEqual([5000, 5000])
  })

  test('getAccountInfo of an unknown DID is NotFound', async () => {
    const res = await admin('com.atproto.admin.getAccountInfo', { params: { did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' } })
    expect(res).toMatchObject({ status: 400, body: { error: 'NotFound' } })
  })

  test('getAccountInfos returns the known accounts and skips unknown DIDs', async () => {
    const dids = [users.alice!.did, 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', users.bob!.did]
    const res = await admin('com.atproto.admin.getAccountInfos', { params: { dids } })
    expect(res.status).toBe(200)
    expect(res.body.infos.map((i: { did: string }) => i.did).sort()).toEqual([users.alice!.did, users.bob!.did].sort())
    const one = await admin('com.atproto.admin.getAccountInfos', { params: { dids: [users.bob!.did] } })
    expect(one.body.infos).toHaveLength(1)
    expect((await admin('com.atproto.admin.getAccountInfos')).status).toBe(400)
  })
})

test('disableAccountInvites / enableAccountInvites flip invitesDisabled (mod service allowed)', async () => {
  const { did } = users.bob!
  const off = await admin('com.atproto.admin.disableAccountInvites', { body: { account: did, note: 'spam invites' } })
  expect(off.status).toBe(200)
  expect((await info(did)).invitesDisabled).toBe(true)
  const on = await call('com.atproto.admin.enableAccountInvites', modJwt('com.atproto.admin.enableAccountInvites'), { body: { account: did } })
  expect(on.status).toBe(200)
  expect((await info(did)).invitesDisabled).toBe(false)
  expect((await admin('com.atproto.admin.disableAccountInvites', { body: {} })).status).toBe(400)
})

describe('updateAccountHandle', () => {
  test('changes the handle, the PLC document and emits #identity; reserved names are allowed', async () => {
    const { did } = users.bob!
    const res = await admin('com.atproto.admin.updateAccountHandle', { body: { did, handle: 'support.test' } })
    expect(res.status).toBe(200)
    expect(identityEvents.at(-1)).toEqual([did, 'support.test'])
    expect((await info(did)).handle).toBe('support.test')
    const resolved = await call('com.atproto.identity.resolveHandle', undefined, { params: { handle: 'support.test' } })
    expect(resolved.body.did).toBe(did)
    const doc = (await (await fetch(`${plc.url}/${did}/data`)).json()) as { alsoKnownAs: string[] }
    expect(doc.alsoKnownAs).toEqual(['at://support.test'])
    // The user could not have taken it.
    const byUser = await users.alice!.agent.com.atproto.identity.updateHandle({ handle: 'abuse.test' }).catch((e) => e)
    expect(byUser.error).toBe('HandleNotAvailable')
  })

  test('refuses taken, invalid and unknown', async () => {
    const taken = await admin('com.atproto.admin.updateAccountHandle', { body: { did: users.bob!.did, handle: 'alice.test' } })
    expect(taken).toMatchObject({ status: 400, body: { error: 'HandleNotAvailable' } })
    const invalid = await admin('com.atproto.admin.updateAccountHandle', { body: { did: users.bob!.did, handle: 'not a handle' } })
    expect(invalid.status).toBe(400)
    const tooShort = await admin('com.atproto.admin.updateAccountHandle', { body: { did: users.bob!.did, handle: 'ab.test' } })
    expect(tooShort).toMatchObject({ status: 400, body: { error: 'InvalidHandle' } })
    const unknown = await admin('com.atproto.admin.updateAccountHandle', { body: { did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', handle: 'nobody.test' } })
    expect(unknown).toMatchObject({ status: 400, body: { message: 'Account not found' } })
  })
})

describe('updateAccountEmail', () => {
  test('sets the address by handle or DID, unconfirmed; login by the new address works', async () => {
    const res = await admin('com.atproto.admin.updateAccountEmail', { body: { account: 'alice.test', email: 'Alice.New@Example.com' } })
    expect(res.status).toBe(200)
    const view = await info(users.alice!.did)
    expect(view.email).toBe('alice.new@example.com')
    expect(view.emailConfirmedAt).toBeUndefined()
    const agent = new AtpAgent({ service: server.url })
    await agent.login({ identifier: 'alice.new@example.com', password: users.alice!.password })
    expect(agent.session?.did).toBe(users.alice!.did)
  })

  test('refuses an unknown account and an address already in use', async () => {
    const unknown = await admin('com.atproto.admin.updateAccountEmail', { body: { account: 'nobody.test', email: 'x@example.com' } })
    expect(unknown).toMatchObject({ status: 400, body: { message: 'Account does not exist: nobody.test' } })
    const taken = await admin('com.atproto.admin.updateAccountEmail', { body: { account: users.bob!.did, email: 'alice.new@example.com' } })
    expect(taken.status).toBe(400)
    expect((await info(users.bob!.did)).email).toBe('bob@example.com')
  })
})

describe('updateAccountPassword', () => {
  test('sets the password and ends every session', async () => {
    const bob = users.bob!
    const agent = new AtpAgent({ service: server.url })
    await agent.login({ identifier: bob.did, password: bob.password })
    const refreshJwt = agent.session!.refreshJwt
    const res = await admin('com.atproto.admin.updateAccountPassword', { body: { did: bob.did, password: 'brand-new-password' } })
    expect(res.status).toBe(200)
    const refreshed = await fetch(`${server.url}/xrpc/com.atproto.server.refreshSession`, { method: 'POST', headers: { authorization: `Bearer ${refreshJwt}` } })
    expect(refreshed.status).toBe(400)
    expect(((await refreshed.json()) as { error: string }).error).toBe('ExpiredToken')
    const old = await new AtpAgent({ service: server.url }).login({ identifier: bob.did, password: bob.password }).catch((e) => e)
    expect(old.status).toBe(401)
    await new AtpAgent({ service: server.url }).login({ identifier: bob.did, password: 'brand-new-password' })
    bob.password = 'brand-new-password'
  })

  test('refuses a password over 256 characters', async () => {
    const res = await admin('com.atproto.admin.updateAccountPassword', { body: { did: users.bob!.did, password: 'x'.repeat(257) } })
    expect(res).toMatchObject({ status: 400, body: { message: 'Invalid password length.' } })
  })
})

describe('sendEmail', () => {
  test('mails the account through the moderation mailer and answers {sent: true}', async () => {
    const { did } = users.bob!
    const before = smtp.mails.length
    const content = '<p>Your post was <b>removed</b>.</p>'
    const res = await call('com.atproto.admin.sendEmail', modJwt('com.atproto.admin.sendEmail'), {
      body: { recipientDid: did, content, subject: 'About your post', senderDid: modDid, comment: 'ticket 42' },
    })
    expect(res).toEqual({ status: 200, body: { sent: true } })
    const mail = smtp.mails.at(-1)!
    expect(smtp.mails.length).toBe(before + 1)
    expect(mail.to).toEqual(['bob@example.com'])
    expect(mail.from).toBe('moderation@localhost')
    expect(mail.raw).toContain('Subject: About your post')
    expect(mail.raw).toContain('<b>removed</b>')
    expect(mail.raw).toContain('Your post was removed.')
    expect(mail.raw).not.toContain('ticket 42')
  })

  test('uses the default subject; unknown recipients are refused', async () => {
    const res = await admin('com.atproto.admin.sendEmail', { body: { recipientDid: users.alice!.did, content: 'hello', senderDid: modDid } })
    expect(res.body).toEqual({ sent: true })
    expect(smtp.mails.at(-1)!.raw).toContain('Subject: Message via your PDS')
    expect(smtp.mails.at(-1)!.to).toEqual(['alice.new@example.com'])
    const unknown = await admin('com.atproto.admin.sendEmail', { body: { recipientDid: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', content: 'x', senderDid: modDid } })
    expect(unknown).toMatchObject({ status: 400, body: { message: 'Recipient not found' } })
  })
})
