// Sign-in codes by email, exactly as the lexicons define them: updateEmail with emailAuthFactor,
// getSession's emailAuthFactor, createSession → 401 AuthFactorTokenRequired after mailing a code.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

type XrpcFailure = { error?: string; status?: number; message?: string }
const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as XrpcFailure | undefined

/** Signs up and confirms the address, as the app requires before offering email 2FA. */
async function confirmedAccount(name: string) {
  const account = await h.signUp(name)
  await account.agent.com.atproto.server.requestEmailConfirmation()
  await account.agent.com.atproto.server.confirmEmail({ email: account.email, token: await h.smtp.tokenFor(account.email) })
  return account
}

/** The official app's "enable 2FA" flow: requestEmailUpdate mails a token, updateEmail with the same address. */
async function setEmailFactor(account: Awaited<ReturnType<typeof confirmedAccount>>, on: boolean) {
  const { data } = await account.agent.com.atproto.server.requestEmailUpdate()
  expect(data.tokenRequired).toBe(true)
  const token = await h.smtp.tokenFor(account.email)
  await account.agent.com.atproto.server.updateEmail({ email: account.email, emailAuthFactor: on, token })
}

const mailsTo = (email: string) => h.smtp.mails.filter((m) => m.to.includes(email))

describe('email sign-in codes', () => {
  test('enable, then createSession needs the mailed code; the right code signs in once', async () => {
    const acct = await confirmedAccount('emma')
    expect((await acct.agent.com.atproto.server.getSession()).data.emailAuthFactor).toBe(false)
    await setEmailFactor(acct, true)
    const session = (await acct.agent.com.atproto.server.getSession()).data
    expect(session.emailAuthFactor).toBe(true)
    expect(session.emailConfirmed).toBe(true) // the same address keeps its confirmation
    expect(mailsTo(acct.email).at(-1)!.raw).toContain('Sign-in codes by email were turned on')

    const agent = h.agent()
    const before = mailsTo(acct.email).length
    const required = await errorOf(agent.login({ identifier: acct.handle, password: acct.password }))
    expect(required).toMatchObject({ status: 401, error: 'AuthFactorTokenRequired', message: 'A sign in code has been sent to your email address' })
    expect(mailsTo(acct.email).length).toBe(before + 1)
    expect(mailsTo(acct.email).at(-1)!.raw).toContain('Subject: Sign in code')
    const code = await h.smtp.tokenFor(acct.email)

    expect(await errorOf(agent.login({ identifier: acct.handle, password: acct.password, authFactorToken: 'AAAAA-BBBBB' }))).toMatchObject({
      status: 400,
      error: 'InvalidToken',
    })
    // A wrong password never reaches the factor (and mails nothing).
    const mailed = mailsTo(acct.email).length
    expect((await errorOf(agent.login({ identifier: acct.handle, password: 'wrong', authFactorToken: code })))?.error).toBe('AuthenticationRequired')
    expect(mailsTo(acct.email).length).toBe(mailed)

    const res = await agent.login({ identifier: acct.handle, password: acct.password, authFactorToken: code.toLowerCase() })
    expect(res.data.did).toBe(acct.did)
    expect(res.data.emailAuthFactor).toBe(true)
    // Single use.
    expect((await errorOf(h.agent().login({ identifier: acct.handle, password: acct.password, authFactorToken: code })))?.error).toBe('InvalidToken')
  })

  test('an expired code is refused with ExpiredToken', async () => {
    const acct = await confirmedAccount('ezra')
    await setEmailFactor(acct, true)
    await errorOf(h.agent().login({ identifier: acct.handle, password: acct.password }))
    const code = await h.smtp.tokenFor(acct.email)
    const at = new Date(Date.now() - 16 * 60_000).toISOString()
    h.server.services.accounts.manager.db.query("UPDATE email_token SET requestedAt = ? WHERE did = ? AND purpose = 'sign_in'").run(at, acct.did)
    expect((await errorOf(h.agent().login({ identifier: acct.handle, password: acct.password, authFactorToken: code })))?.error).toBe('ExpiredToken')
  })

  test('app passwords skip the factor; turning it off needs the emailed token', async () => {
    const acct = await confirmedAccount('elsa')
    const { data: appPw } = await acct.agent.com.atproto.server.createAppPassword({ name: 'legacy' })
    await setEmailFactor(acct, true)
    const viaApp = await h.agent().login({ identifier: acct.handle, password: appPw.password })
    expect(viaApp.data.did).toBe(acct.did)

    expect((await errorOf(acct.agent.com.atproto.server.updateEmail({ email: acct.email, emailAuthFactor: false })))?.error).toBe('TokenRequired')
    await setEmailFactor(acct, false)
    expect((await acct.agent.com.atproto.server.getSession()).data.emailAuthFactor).toBe(false)
    expect(mailsTo(acct.email).at(-1)!.raw).toContain('Sign-in codes by email were turned off')
    expect((await h.agent().login({ identifier: acct.handle, password: acct.password })).data.did).toBe(acct.did)
  })

  test('an unconfirmed address cannot turn it on, nor can a new address in the same call', async () => {
    const acct = await h.signUp('edna')
    const failure = await errorOf(acct.agent.com.atproto.server.updateEmail({ email: acct.email, emailAuthFactor: true }))
    expect(failure).toMatchObject({ status: 400 })
    expect(failure?.message).toContain('Confirm your email address')
    expect((await acct.agent.com.atproto.server.getSession()).data.emailAuthFactor).toBe(false)

    const confirmed = await confirmedAccount('enid')
    await confirmed.agent.com.atproto.server.requestEmailUpdate()
    const token = await h.smtp.tokenFor(confirmed.email)
    expect((await errorOf(confirmed.agent.com.atproto.server.updateEmail({ email: 'enid2@example.com', emailAuthFactor: true, token })))?.status).toBe(400)
    const session = (await confirmed.agent.com.atproto.server.getSession()).data
    expect(session).toMatchObject({ email: confirmed.email, emailConfirmed: true, emailAuthFactor: false })
  })
})
