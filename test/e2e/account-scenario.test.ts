// The "done when": an operator creates an account with the CLI and its user takes it through its
// whole life with the official client, every email token read from the captured mail.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { testEnv } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { actorDir } from '../../src/services/accounts/repo-port.ts'
import { pds } from '../cli/cli-harness.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
  writeEnvFile(join(h.server.dataDir, 'pds.env'), testEnv(h.server.dataDir, h.server.port, { PDS_DID_PLC_URL: h.plc.url }))
})
afterAll(() => h.close())

const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as { error?: string } | undefined

test('operator creates an account; its user lives through app passwords, handle and email changes, reset, deactivation and deletion', async () => {
  // The operator.
  const created = await pds(['account', 'create', 'zoe@example.com', 'zoe', '--json', '--data-dir', h.server.dataDir])
  expect(created.code).toBe(0)
  const { did, password: firstPassword } = created.json() as { did: string; password: string }

  // Logging in, an app password, logging in with it.
  const user = new AtpAgent({ service: h.server.url })
  await user.login({ identifier: 'zoe.test', password: firstPassword })
  const app = (await user.com.atproto.server.createAppPassword({ name: 'phone' })).data
  const phone = new AtpAgent({ service: h.server.url })
  await phone.login({ identifier: 'zoe@example.com', password: app.password })
  await phone.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'from my phone', createdAt: new Date().toISOString() } })

  // A new handle (the DID document follows) and a new, confirmed email.
  await user.com.atproto.identity.updateHandle({ handle: 'zoe-new.test' })
  const plcData = (await (await fetch(`${h.plc.url}/${did}/data`)).json()) as { alsoKnownAs: string[] }
  expect(plcData.alsoKnownAs).toEqual(['at://zoe-new.test'])
  await user.com.atproto.server.requestEmailConfirmation()
  await user.com.atproto.server.confirmEmail({ email: 'zoe@example.com', token: await h.smtp.tokenFor('zoe@example.com') })
  expect((await user.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(true)
  await user.com.atproto.server.updateEmail({ email: 'zoe@new.example', token: await h.smtp.tokenFor('zoe@example.com') })
  await user.com.atproto.server.requestEmailConfirmation()
  await user.com.atproto.server.confirmEmail({ email: 'zoe@new.example', token: await h.smtp.tokenFor('zoe@new.example') })
  expect((await user.com.atproto.server.getSession()).data).toMatchObject({ handle: 'zoe-new.test', email: 'zoe@new.example', emailConfirmed: true })

  // Forgotten password: the reset mail goes to the new address, and every session ends.
  await new AtpAgent({ service: h.server.url }).com.atproto.server.requestPasswordReset({ email: 'zoe@new.example' })
  await new AtpAgent({ service: h.server.url }).com.atproto.server.resetPassword({ token: await h.smtp.tokenFor('zoe@new.example'), password: 'zoe-second-password' })
  expect(await errorOf(new AtpAgent({ service: h.server.url }).login({ identifier: 'zoe-new.test', password: firstPassword }))).toMatchObject({ error: 'AuthenticationRequired' })
  const again = new AtpAgent({ service: h.server.url })
  await again.login({ identifier: 'zoe-new.test', password: 'zoe-second-password' })

  // Deactivate, reactivate.
  await again.com.atproto.server.deactivateAccount({})
  expect((await again.com.atproto.server.getSession()).data).toMatchObject({ active: false, status: 'deactivated' })
  expect((await errorOf(again.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'x', createdAt: new Date().toISOString() } })))?.error).toBe('AccountDeactivated')
  await again.com.atproto.server.activateAccount()
  expect((await again.com.atproto.server.getSession()).data.active).toBe(true)
  const posts = await again.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })
  expect(posts.data.records.map((r) => (r.value as { text: string }).text)).toEqual(['from my phone'])

  // Delete, with the password and the mailed token: nothing of the account is left here.
  await again.com.atproto.server.requestAccountDelete()
  const token = await h.smtp.tokenFor('zoe@new.example')
  await new AtpAgent({ service: h.server.url }).com.atproto.server.deleteAccount({ did, password: 'zoe-second-password', token })
  expect(h.server.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
  expect(existsSync(actorDir(h.server.config.db.actorStoreDirectory, did))).toBe(false)
  expect(await errorOf(new AtpAgent({ service: h.server.url }).login({ identifier: 'zoe@new.example', password: app.password }))).toMatchObject({ error: 'AuthenticationRequired' })
  expect((await errorOf(again.com.atproto.repo.describeRepo({ repo: did })))?.error).toBeDefined()
  const listed = await pds(['account', 'list', '--json', '--data-dir', h.server.dataDir])
  expect((listed.json().accounts as Array<{ did: string }>).some((a) => a.did === did)).toBe(false)
})
