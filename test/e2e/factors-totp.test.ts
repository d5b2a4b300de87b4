// Authenticator app (TOTP) and backup codes: set-up through the factor service (the account app's
// Security view will call it), sign-in through createSession with @atproto/api, codes computed here
// from the secret. Also the wrong-code lockout and the operator's reset.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { totpAt } from '../../src/services/factors/totp.ts'
import type { FactorService } from '../../src/services/factors/factor-service.ts'

let h: AccountHarness
let factors: FactorService
beforeAll(async () => {
  h = await startAccountHarness()
  factors = h.server.services.accounts.factors
})
afterAll(() => h.close())

type XrpcFailure = { error?: string; status?: number; message?: string }
const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as XrpcFailure | undefined
const lastMailTo = (email: string) => h.smtp.mails.findLast((m) => m.to.includes(email))?.raw ?? ''
const login = (identifier: string, password: string, authFactorToken?: string) => h.agent().login({ identifier, password, authFactorToken })

async function withTotp(name: string) {
  const acct = await h.signUp(name)
  const { secret } = factors.beginTotpSetup(acct.did)
  const { backupCodes } = await factors.finishTotpSetup(acct.did, totpAt(secret, Date.now()))
  return { ...acct, secret, backupCodes }
}

describe('authenticator app', () => {
  test('a set-up never confirmed enables nothing; one valid code finishes it', async () => {
    const acct = await h.signUp('tara')
    const setup = factors.beginTotpSetup(acct.did)
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(setup.uri).toStartWith('otpauth://totp/')
    expect(setup.qrSvg).toStartWith('<svg')
    expect(factors.status(acct.did)).toEqual({ emailAuthFactor: false, totp: false, totpPending: true, backupCodesRemaining: 0, passkeys: 0 })
    expect((await login(acct.handle, acct.password)).data.did).toBe(acct.did)

    await expect(factors.finishTotpSetup(acct.did, '000000')).rejects.toMatchObject({ code: 'InvalidToken' })
    expect(factors.status(acct.did).totp).toBe(false)
    const { backupCodes } = await factors.finishTotpSetup(acct.did, totpAt(setup.secret, Date.now()))
    expect(backupCodes.length).toBe(10)
    expect(factors.status(acct.did)).toEqual({ emailAuthFactor: false, totp: true, totpPending: false, backupCodesRemaining: 10, passkeys: 0 })
    expect(lastMailTo(acct.email)).toContain('An authenticator app was set up')
    await expect(Promise.resolve().then(() => factors.beginTotpSetup(acct.did))).rejects.toThrow('already set up')
  })

  test('createSession asks for the code, takes a current one once, refuses wrong ones', async () => {
    const acct = await withTotp('theo')
    expect(await errorOf(login(acct.handle, acct.password))).toMatchObject({
      status: 401,
      error: 'AuthFactorTokenRequired',
      message: 'Enter the code from your authenticator app, or a backup code',
    })
    // The set-up spent the current step's code: the next step's code (within ±1) signs in.
    const code = totpAt(acct.secret, Date.now() + 30_000)
    expect((await errorOf(login(acct.handle, acct.password, '999999')))?.error).toBe('InvalidToken')
    expect((await login(acct.handle, acct.password, code)).data.did).toBe(acct.did)
    expect((await errorOf(login(acct.handle, acct.password, code)))?.error).toBe('InvalidToken')
    expect((await errorOf(login(acct.handle, acct.password, totpAt(acct.secret, Date.now() - 90_000))))?.error).toBe('InvalidToken')
  })

  test('backup codes: each once, the mail says how many remain; regenerating voids the old set', async () => {
    const acct = await withTotp('tess')
    const [first, second] = acct.backupCodes
    expect((await login(acct.handle, acct.password, first!.toUpperCase())).data.did).toBe(acct.did)
    expect(lastMailTo(acct.email)).toContain('9 backup codes remain')
    expect(factors.status(acct.did).backupCodesRemaining).toBe(9)
    expect((await errorOf(login(acct.handle, acct.password, first!)))?.error).toBe('InvalidToken')

    const fresh = await factors.regenerateBackupCodes(acct.did)
    expect(lastMailTo(acct.email)).toContain('New backup codes were made')
    expect((await errorOf(login(acct.handle, acct.password, second!)))?.error).toBe('InvalidToken')
    expect((await login(acct.handle, acct.password, fresh[0]!.replace('-', ' '))).data.did).toBe(acct.did)
  })

  test('removing the app removes its backup codes and the prompt', async () => {
    const acct = await withTotp('toby')
    await factors.disableTotp(acct.did)
    expect(lastMailTo(acct.email)).toContain('The authenticator app was removed')
    expect(factors.status(acct.did)).toEqual({ emailAuthFactor: false, totp: false, totpPending: false, backupCodesRemaining: 0, passkeys: 0 })
    expect((await login(acct.handle, acct.password)).data.did).toBe(acct.did)
    await expect(factors.regenerateBackupCodes(acct.did)).rejects.toThrow('set one up first')
  })
})

describe('wrong-code lockout and recovery', () => {
  test('ten wrong codes lock the account out, even for the right code; the operator reset clears it', async () => {
    const acct = await withTotp('tina')
    for (let i = 0; i < 10; i++) expect((await errorOf(login(acct.handle, acct.password, '000000')))?.error).toBe('InvalidToken')
    const locked = await errorOf(login(acct.handle, acct.password, totpAt(acct.secret, Date.now() + 30_000)))
    expect(locked).toMatchObject({ status: 429, error: 'RateLimitExceeded' })
    expect(locked?.message).toMatch(/^Too many wrong sign-in codes for this account\. Try again in 1[45] minutes\.$/)
    // Another account on the same address is not locked (the per-IP limit is looser).
    const other = await withTotp('tobias')
    expect((await login(other.handle, other.password, other.backupCodes[0])).data.did).toBe(other.did)

    await factors.resetAll(acct.did)
    expect(lastMailTo(acct.email)).toContain("The server's operator removed every second factor")
    expect(factors.auditTrail(acct.did).map((a) => [a.action, a.actor])).toEqual([
      ['totp-enabled', 'self'],
      ['reset-by-operator', 'operator'],
    ])
    expect((await login(acct.handle, acct.password)).data.did).toBe(acct.did)
  }, 30_000)
})

test('deleting an account removes its factors, audit trail, lockout, trusted browsers and recovery', async () => {
  const acct = await withTotp('tilda')
  await errorOf(login(acct.handle, acct.password, '000000'))
  const db = h.server.services.accounts.manager.db
  const count = (table: string, column = 'did', value = acct.did) => db.query<{ n: number }, [string]>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).get(value)!.n
  expect(count('backup_code')).toBe(10)
  const factors = h.server.services.accounts.factors
  factors.trustedBrowsers.remember(acct.did, { ip: null, userAgent: null })
  await factors.requestRecovery(acct.did)
  expect(count('trusted_browser') + count('factor_recovery')).toBe(2)
  await h.agent().com.atproto.admin.deleteAccount({ did: acct.did }, { headers: h.adminHeaders })
  for (const table of ['totp_factor', 'backup_code', 'passkey', 'factor_audit', 'trusted_browser', 'factor_recovery']) expect(count(table)).toBe(0)
  expect(count('factor_attempt', 'key', `did:${acct.did}`)).toBe(0)
})
