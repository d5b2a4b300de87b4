import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { actorDir } from '../../src/services/accounts/repo-port.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

test('resolveHandle, updateHandle (PLC updated), deactivate/activate, admin delete removes every trace', async () => {
  const { agent, did, handle } = await h.signUp('yuri')
  expect((await agent.com.atproto.identity.resolveHandle({ handle })).data.did).toBe(did)
  const missing = await agent.com.atproto.identity.resolveHandle({ handle: 'nobody.test' }).catch((e) => e)
  expect(missing.error).toBe('HandleNotFound')

  await agent.com.atproto.identity.updateHandle({ handle: 'yuri2.test' })
  expect((await agent.com.atproto.identity.resolveHandle({ handle: 'yuri2.test' })).data.did).toBe(did)
  const data = (await (await fetch(`${h.plc.url}/${did}/data`)).json()) as { alsoKnownAs: string[] }
  expect(data.alsoKnownAs).toEqual(['at://yuri2.test'])
  const atprotoDid = await fetch(`${h.server.url}/.well-known/atproto-did`, { headers: { host: 'yuri2.test' } })
  expect(await atprotoDid.text()).toBe(did)

  await agent.com.atproto.server.deactivateAccount({})
  const session = await agent.com.atproto.server.getSession()
  expect(session.data).toMatchObject({ active: false, status: 'deactivated' })
  const blocked = await agent.com.atproto.server.listAppPasswords().catch((e) => e)
  expect(blocked.error).toBe('AccountDeactivated')
  await agent.com.atproto.server.activateAccount()
  expect((await agent.com.atproto.server.getSession()).data.active).toBe(true)

  await agent.com.atproto.admin.deleteAccount({ did }, { headers: h.adminHeaders })
  expect(h.server.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
  expect(existsSync(actorDir(h.server.config.db.actorStoreDirectory, did))).toBe(false)
  const gone = await agent.com.atproto.server.getSession().catch((e) => e)
  // as the reference: the token still verifies, the account lookup finds nothing (test/interop/inactive-reads.test.ts)
  expect([gone.status, gone.error]).toEqual([400, 'InvalidRequest'])
})
