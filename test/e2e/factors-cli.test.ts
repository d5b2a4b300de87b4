// `pds account reset-2fa` against a live server: every factor goes, the holder is mailed, the
// audit trail names the operator; the admin route refuses anyone else.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { testEnv } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { pds } from '../cli/cli-harness.ts'
import { totpAt } from '../../src/services/factors/totp.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
  writeEnvFile(join(h.server.dataDir, 'pds.env'), testEnv(h.server.dataDir, h.server.port))
})
afterAll(() => h.close())

const cli = (...args: string[]) => pds([...args, '--data-dir', h.server.dataDir])

test('reset-2fa removes the authenticator app and backup codes of a handle', async () => {
  const acct = await h.signUp('rory')
  const factors = h.server.services.accounts.factors
  const { secret } = factors.beginTotpSetup(acct.did)
  await factors.finishTotpSetup(acct.did, totpAt(secret, Date.now()))
  expect((await h.agent().login({ identifier: acct.handle, password: acct.password }).catch((e) => e)).error).toBe('AuthFactorTokenRequired')

  const res = await cli('account', 'reset-2fa', acct.handle, '--json')
  expect(res.code).toBe(0)
  expect(res.json()).toEqual({ did: acct.did, removed: { emailAuthFactor: false, totp: true, totpPending: false, backupCodesRemaining: 10, passkeys: 0 } })
  expect(factors.status(acct.did).totp).toBe(false)
  expect(factors.auditTrail(acct.did).at(-1)).toMatchObject({ action: 'reset-by-operator', actor: 'operator' })
  expect(h.smtp.mails.findLast((m) => m.to.includes(acct.email))?.raw).toContain("The server's operator removed every second factor")
  expect((await h.agent().login({ identifier: acct.handle, password: acct.password })).data.did).toBe(acct.did)

  const missing = await cli('account', 'reset-2fa', 'nobody.test')
  expect(missing.code).toBe(1)
  expect(missing.stderr).toContain('no account with handle nobody.test')
}, 30_000)

test('the admin route wants the admin password and an account', async () => {
  const url = new URL('/_admin/reset-2fa', h.server.url)
  const post = (headers: Record<string, string>, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  expect((await post({}, { account: 'did:plc:x' })).status).toBe(401)
  expect((await post({ authorization: 'Basic ' + btoa('admin:wrong') }, { account: 'did:plc:x' })).status).toBe(401)
  const bad = await post(h.adminHeaders, { nope: 1 })
  expect(bad.status).toBe(400)
  expect(await bad.json()).toMatchObject({ error: 'InvalidRequest' })
  expect((await post(h.adminHeaders, { account: 'did:plc:unknown' })).status).toBe(404)
})
