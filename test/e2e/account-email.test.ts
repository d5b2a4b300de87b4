import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { AtpAgent } from '@atproto/api'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { actorDir } from '../../src/services/accounts/repo-port.ts'
import type { RepoEventSink } from '../../src/services/events.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as { error?: string; status?: number } | undefined

/** Moves a pending token's request time back, as if it had been mailed `minutes` ago. */
function ageToken(did: string, purpose: string, minutes: number) {
  const at = new Date(Date.now() - minutes * 60_000).toISOString()
  h.server.services.accounts.manager.db.query('UPDATE email_token SET requestedAt = ? WHERE did = ? AND purpose = ?').run(at, did, purpose)
}

describe('email confirmation', () => {
  test('the mailed token confirms the address once', async () => {
    const { agent, did, email } = await h.signUp('ellen')
    await agent.com.atproto.server.requestEmailConfirmation()
    const token = await h.smtp.tokenFor(email)
    expect(token).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/)
    expect(h.smtp.mails.at(-1)!.raw).toContain('Subject: Confirm your email')

    expect((await errorOf(agent.com.atproto.server.confirmEmail({ email: 'other@example.com', token })))?.error).toBe('InvalidEmail')
    expect((await errorOf(agent.com.atproto.server.confirmEmail({ email, token: 'AAAAA-BBBBB' })))?.error).toBe('InvalidToken')
    await agent.com.atproto.server.confirmEmail({ email: email.toUpperCase(), token: token.toLowerCase() })
    expect((await agent.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)
    expect(h.server.services.accounts.getAccount(did)!.emailConfirmedAt).toBeTruthy()
    // Single use.
    expect((await errorOf(agent.com.atproto.server.confirmEmail({ email, token })))?.error).toBe('InvalidToken')
  })

  test('a token older than 15 minutes is expired', async () => {
    const { agent, did, email } = await h.signUp('olga')
    await agent.com.atproto.server.requestEmailConfirmation()
    const token = await h.smtp.tokenFor(email)
    ageToken(did, 'confirm_email', 16)
    expect((await errorOf(agent.com.atproto.server.confirmEmail({ email, token })))?.error).toBe('ExpiredToken')
  })
})

describe('email update', () => {
  test('no token while unconfirmed; a token mailed to the old address once confirmed', async () => {
    const { agent, did, email } = await h.signUp('uma')
    expect((await agent.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(false)
    await agent.com.atproto.server.updateEmail({ email: 'uma2@example.com' })
    expect(h.server.services.accounts.getAccount(did)!.email).toBe('uma2@example.com')

    await agent.com.atproto.server.requestEmailConfirmation()
    await agent.com.atproto.server.confirmEmail({ email: 'uma2@example.com', token: await h.smtp.tokenFor('uma2@example.com') })
    const mailsBefore = h.smtp.mails.length
    expect((await agent.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(true)
    const token = await h.smtp.tokenFor('uma2@example.com')
    expect(h.smtp.mails.length).toBe(mailsBefore + 1)

    expect((await errorOf(agent.com.atproto.server.updateEmail({ email: 'uma3@example.com' })))?.error).toBe('TokenRequired')
    expect((await errorOf(agent.com.atproto.server.updateEmail({ email: 'not-an-email', token })))?.status).toBe(400)
    const taken = await h.signUp('ursula')
    expect((await errorOf(agent.com.atproto.server.updateEmail({ email: taken.email, token })))?.status).toBe(400)
    await agent.com.atproto.server.updateEmail({ email: 'uma3@example.com', token })
    const session = (await agent.com.atproto.server.getSession()).data
    expect(session.email).toBe('uma3@example.com')
    expect(session.emailConfirmed).toBe(false)
    expect(email).toBe('uma@example.com')
  })

  test('app-password sessions cannot change the email', async () => {
    const { agent, handle } = await h.signUp('vera')
    const { password } = (await agent.com.atproto.server.createAppPassword({ name: 'app' })).data
    const app = h.agent()
    await app.login({ identifier: handle, password })
    expect((await errorOf(app.com.atproto.server.requestEmailUpdate()))?.error).toBe('InvalidToken')
    expect((await errorOf(app.com.atproto.server.updateEmail({ email: 'vera2@example.com' })))?.error).toBe('InvalidToken')
    expect((await errorOf(app.com.atproto.server.requestAccountDelete()))?.error).toBe('InvalidToken')
  })
})

describe('password reset', () => {
  test('the emailed token sets a new password and ends every session', async () => {
    const { agent, did, handle, email, password } = await h.signUp('paula')
    const { password: appPassword } = (await agent.com.atproto.server.createAppPassword({ name: 'keep' })).data
    const anon = h.agent()
    expect((await errorOf(anon.com.atproto.server.requestPasswordReset({ email: 'nobody@example.com' })))?.status).toBe(400)
    await anon.com.atproto.server.requestPasswordReset({ email: email.toUpperCase() })
    const token = await h.smtp.tokenFor(email)
    expect(h.smtp.mails.at(-1)!.raw).toContain(`@${handle}`)

    expect((await errorOf(anon.com.atproto.server.resetPassword({ token: 'AAAAA-BBBBB', password: 'x' })))?.error).toBe('InvalidToken')
    await anon.com.atproto.server.resetPassword({ token, password: 'paula-new-password' })
    expect((await errorOf(anon.com.atproto.server.resetPassword({ token, password: 'again' })))?.error).toBe('InvalidToken')

    // The old refresh token is gone; the old password no longer works; the new one and app passwords do.
    const refresh = await fetch(`${h.server.url}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.session!.refreshJwt}` },
    })
    expect(refresh.status).toBe(400)
    expect((await errorOf(h.agent().login({ identifier: handle, password })))?.error).toBe('AuthenticationRequired')
    expect((await h.agent().login({ identifier: did, password: 'paula-new-password' })).data.did).toBe(did)
    expect((await h.agent().login({ identifier: handle, password: appPassword })).data.did).toBe(did)
  })

  test('expired reset tokens are refused', async () => {
    const { did, email } = await h.signUp('quinn')
    await h.agent().com.atproto.server.requestPasswordReset({ email })
    const token = await h.smtp.tokenFor(email)
    ageToken(did, 'reset_password', 20)
    expect((await errorOf(h.agent().com.atproto.server.resetPassword({ token, password: 'quinn-new' })))?.error).toBe('ExpiredToken')
  })
})

describe('account deletion by its owner', () => {
  test('password + emailed token delete every trace and tell the firehose', async () => {
    const { agent, did, email, password } = await h.signUp('doris')
    await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'bye', createdAt: new Date().toISOString() } })
    await agent.com.atproto.server.requestAccountDelete()
    const token = await h.smtp.tokenFor(email)
    const anon = h.agent()
    expect((await errorOf(anon.com.atproto.server.deleteAccount({ did, password: 'wrong', token })))?.error).toBe('AuthenticationRequired')
    expect((await errorOf(anon.com.atproto.server.deleteAccount({ did, password, token: 'AAAAA-BBBBB' })))?.error).toBe('InvalidToken')
    expect((await errorOf(anon.com.atproto.server.deleteAccount({ did: 'did:plc:nobodyhereatallxxxxxxxxx', password, token })))?.status).toBe(400)

    const events: unknown[][] = []
    const services = h.server.services
    const original = services.events
    services.events = { ...original, account: (...args: Parameters<RepoEventSink['account']>) => (events.push(args), original.account(...args)) }
    try {
      await anon.com.atproto.server.deleteAccount({ did, password, token })
    } finally {
      services.events = original
    }
    expect(events).toEqual([[did, false, 'deleted']])
    expect(services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
    expect(existsSync(actorDir(h.server.config.db.actorStoreDirectory, did))).toBe(false)
    const rows = services.accounts.manager.db
      .query<{ n: number }, [string, string, string]>(
        'SELECT (SELECT count(*) FROM email_token WHERE did = ?1) + (SELECT count(*) FROM refresh_token WHERE did = ?2) + (SELECT count(*) FROM repo_root WHERE did = ?3) AS n',
      )
      .get(did, did, did)
    expect(rows!.n).toBe(0)
    expect((await errorOf(h.agent().login({ identifier: email, password })))?.error).toBe('AuthenticationRequired')
  })
})

describe('rate limits', () => {
  test('createSession is limited per identifier and IP (30 per 5 minutes)', async () => {
    const limited = await startAccountHarness({ PDS_RATE_LIMITS_ENABLED: 'true' })
    try {
      const { handle } = await limited.signUp('rita')
      const attempt = (identifier: string) =>
        fetch(`${limited.server.url}/xrpc/com.atproto.server.createSession`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ identifier, password: 'wrong-password' }),
        }).then((r) => r.status)
      const statuses = await Promise.all(Array.from({ length: 31 }, () => attempt(handle)))
      expect(statuses.filter((s) => s === 401)).toHaveLength(30)
      expect(statuses.filter((s) => s === 429)).toHaveLength(1)
      expect(await attempt('someone-else.test')).toBe(401)
      const ok = new AtpAgent({ service: limited.server.url })
      expect((await errorOf(ok.login({ identifier: handle, password: 'rita-password' })))?.error).toBe('RateLimitExceeded')

      // requestPasswordReset: 15 an hour per IP, counted before the email is even looked up.
      const resets = await Promise.all(Array.from({ length: 16 }, (_, i) => errorOf(ok.com.atproto.server.requestPasswordReset({ email: `nobody${i}@example.com` }))))
      expect(resets.filter((e) => e?.error === 'InvalidRequest')).toHaveLength(15)
      expect(resets.filter((e) => e?.error === 'RateLimitExceeded')).toHaveLength(1)
    } finally {
      await limited.close()
    }
  })
})
