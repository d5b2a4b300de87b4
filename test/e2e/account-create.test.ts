import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { DidResolver } from '@atproto/identity'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { actorDir } from '../../src/services/accounts/repo-port.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

const expectXrpcError = async (p: Promise<unknown>, error: string, status?: number) => {
  const err = (await p.then(() => undefined, (e) => e)) as { error?: string; status?: number } | undefined
  expect(err?.error).toBe(error)
  if (status) expect(err?.status).toBe(status)
}

describe('createAccount', () => {
  test('creates a did:plc registered with the PLC directory, a key and a session', async () => {
    const { agent, did, handle } = await h.signUp('alice')
    expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/)
    expect(agent.session?.handle).toBe(handle)
    expect(agent.session?.accessJwt).toBeTruthy()
    expect(existsSync(`${actorDir(h.server.config.db.actorStoreDirectory, did)}/key`)).toBe(true)

    const resolver = new DidResolver({ plcUrl: h.plc.url, fetch: globalThis.fetch })
    const data = await resolver.resolveAtprotoData(did)
    expect(data.handle).toBe(handle)
    expect(data.pds).toBe(h.server.config.service.publicUrl)
    expect(data.signingKey).toMatch(/^did:key:zQ3s/)
    const doc = await resolver.resolve(did)
    expect(doc?.verificationMethod?.[0]?.type).toBe('Multikey')
    expect(doc?.service?.[0]?.id).toBe('#atproto_pds')
    expect(doc?.alsoKnownAs).toEqual([`at://${handle}`])

    const audit = (await (await fetch(`${h.plc.url}/${did}/log/audit`)).json()) as Array<{ operation: { rotationKeys: string[] } }>
    expect(audit).toHaveLength(1)
    expect(audit[0]!.operation.rotationKeys).toHaveLength(1)
  })

  test('handles are case-insensitive, unique and constrained on the service domain', async () => {
    const a = h.agent()
    const base = { email: 'bob@example.com', password: 'pw-bob-123' }
    await expectXrpcError(a.createAccount({ ...base, handle: 'ALICE.test' }), 'InvalidRequest', 400)
    await expectXrpcError(a.createAccount({ ...base, handle: 'ab.test' }), 'InvalidHandle')
    await expectXrpcError(a.createAccount({ ...base, handle: 'abcdefghijklmnopqrs.test' }), 'InvalidHandle')
    await expectXrpcError(a.createAccount({ ...base, handle: 'a.b.test' }), 'InvalidHandle')
    await expectXrpcError(a.createAccount({ ...base, handle: 'admin.test' }), 'HandleNotAvailable')
    await expectXrpcError(a.createAccount({ ...base, handle: 'bob.example.com' }), 'UnsupportedDomain')
    await expectXrpcError(a.createAccount({ ...base, handle: 'bob..test' }), 'InvalidRequest')
    const res = await a.createAccount({ ...base, handle: 'Bob.TEST' })
    expect(res.data.handle).toBe('bob.test')
  })

  test('rejects bad emails, duplicate emails and a missing password', async () => {
    const a = h.agent()
    await expectXrpcError(a.createAccount({ email: 'not-an-email', handle: 'carol.test', password: 'x-password' }), 'InvalidRequest')
    await expectXrpcError(a.createAccount({ email: 'ALICE@example.com', handle: 'carol.test', password: 'x-password' }), 'InvalidRequest')
    await expectXrpcError(a.createAccount({ email: 'carol@example.com', handle: 'carol.test' }), 'InvalidRequest')
  })

  test('emails longer than 254 characters are refused (sign-up and updateEmail)', async () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` // 255 characters
    expect(long.length).toBe(255)
    const a = h.agent()
    await expectXrpcError(a.createAccount({ email: long, handle: 'longmail.test', password: 'x-password' }), 'InvalidRequest', 400)
    const { agent } = await h.signUp('shortmail')
    await expectXrpcError(agent.com.atproto.server.updateEmail({ email: long }), 'InvalidRequest', 400)
    const fits = long.slice(1)
    const ok = await h.agent().createAccount({ email: fits, handle: 'fitmail.test', password: 'x-password' })
    expect(ok.data.handle).toBe('fitmail.test')
  })

  test('a malformed recoveryKey is 400 InvalidRequest before anything is sent to the PLC directory', async () => {
    const { startTestServer } = await import('../helpers/server.ts')
    const seen: string[] = []
    const plc = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => (seen.push(`${req.method} ${new URL(req.url).pathname}`), new Response('{}')) })
    const server = await startTestServer({ PDS_DID_PLC_URL: `http://127.0.0.1:${plc.port}` })
    try {
      const bad = ['not-a-key', 'did:key:', 'did:key:zQ3shBAD', 'did:web:example.com', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'] // the last: ed25519
      for (const recoveryKey of bad) {
        const res = await fetch(`${server.url}/xrpc/com.atproto.server.createAccount`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'erin@example.com', handle: 'erin.test', password: 'erin-password', recoveryKey }),
        })
        expect({ recoveryKey, status: res.status }).toEqual({ recoveryKey, status: 400 })
        expect(((await res.json()) as { error: string }).error).toBe('InvalidRequest')
      }
      expect(seen).toEqual([])
      expect(server.services.accounts.getAccount('erin.test', { includeDeactivated: true })).toBeNull()
    } finally {
      await server.close()
      plc.stop(true)
    }
  })

  test('a valid recoveryKey is the first rotation key', async () => {
    const { Secp256k1Keypair } = await import('../../src/core/crypto/index.ts')
    const recoveryKey = Secp256k1Keypair.create().did()
    const res = await h.agent().createAccount({ email: 'frank@example.com', handle: 'frank.test', password: 'frank-password', recoveryKey })
    const audit = (await (await fetch(`${h.plc.url}/${res.data.did}/log/audit`)).json()) as Array<{ operation: { rotationKeys: string[] } }>
    expect(audit[0]!.operation.rotationKeys[0]).toBe(recoveryKey)
  })

  test('a PLC directory that is down leaves no account, no key files', async () => {
    const { startTestServer } = await import('../helpers/server.ts')
    const server = await startTestServer({ PDS_DID_PLC_URL: 'http://127.0.0.1:1' })
    try {
      const res = await fetch(`${server.url}/xrpc/com.atproto.server.createAccount`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'dave@example.com', handle: 'dave.test', password: 'dave-password' }),
      })
      expect(res.status).toBe(502)
      expect(((await res.json()) as { error: string }).error).toBe('UpstreamFailure')
      expect(server.services.accounts.getAccount('dave.test', { includeDeactivated: true })).toBeNull()
      const { readdirSync } = await import('node:fs')
      const dir = server.config.db.actorStoreDirectory
      const leftovers = existsSync(dir) ? readdirSync(dir).flatMap((p) => readdirSync(`${dir}/${p}`)) : []
      expect(leftovers).toEqual([])
    } finally {
      await server.close()
    }
  })
})

describe('invites', () => {
  test('required invite codes are checked and counted', async () => {
    const inv = await startAccountHarness({ PDS_INVITE_REQUIRED: 'true' })
    try {
      const a = inv.agent()
      const base = { email: 'erin@example.com', handle: 'erin.test', password: 'erin-password' }
      await expectXrpcError(a.createAccount(base), 'InvalidInviteCode')
      await expectXrpcError(a.createAccount({ ...base, inviteCode: 'nope' }), 'InvalidInviteCode')
      const created = await a.com.atproto.server.createInviteCode({ useCount: 1 }, { headers: inv.adminHeaders })
      const code = created.data.code
      await a.createAccount({ ...base, inviteCode: code })
      await expectXrpcError(a.createAccount({ email: 'f@example.com', handle: 'frank.test', password: 'pw-frank', inviteCode: code }), 'InvalidInviteCode')
      const codes = await a.com.atproto.admin.getInviteCodes({}, { headers: inv.adminHeaders })
      expect(codes.data.codes[0]!.uses).toHaveLength(1)
      await a.com.atproto.admin.disableInviteCodes({ codes: [code] }, { headers: inv.adminHeaders })
      const again = await a.com.atproto.admin.getInviteCodes({}, { headers: inv.adminHeaders })
      expect(again.data.codes[0]!.disabled).toBe(true)
    } finally {
      await inv.close()
    }
  })

  test('getInviteCodes pages through a batch created in one millisecond without skipping or repeating a code', async () => {
    const inv = await startAccountHarness({ PDS_INVITE_REQUIRED: 'true' })
    try {
      const a = inv.agent()
      const admin = { headers: inv.adminHeaders }
      const older = (await a.com.atproto.server.createInviteCode({ useCount: 2 }, admin)).data.code
      await Bun.sleep(5)
      // One call: every code of the batch has the same createdAt.
      const batch = (await a.com.atproto.server.createInviteCodes({ codeCount: 23, useCount: 2 }, admin)).data.codes[0]!.codes
      expect(new Set(inv.server.services.accounts.listInviteCodes(undefined, 100).codes.filter((c) => batch.includes(c.code)).map((c) => c.createdAt)).size).toBe(1)
      const all = async (sort: string) => {
        const seen: string[] = []
        let cursor: string | undefined
        for (let pages = 0; pages < 20; pages++) {
          const page = await a.com.atproto.admin.getInviteCodes({ sort, limit: 5, cursor }, admin)
          seen.push(...page.data.codes.map((c) => c.code))
          cursor = page.data.cursor
          if (!cursor) break
        }
        return seen
      }
      const recent = await all('recent')
      expect(recent).toHaveLength(24)
      expect(new Set(recent).size).toBe(24)
      expect(recent.slice(0, 23).sort()).toEqual([...batch].sort())
      // Newest first: the single code made before the batch comes last.
      expect(recent.at(-1)).toBe(older)

      // Most used first, the same guarantee.
      await a.createAccount({ email: 'gus@example.com', handle: 'gus.test', password: 'gus-password', inviteCode: batch[7]! })
      const usage = await all('usage')
      expect(usage[0]).toBe(batch[7]!)
      expect(new Set(usage).size).toBe(24)
      expect(usage).toHaveLength(24)

      await expectXrpcError(a.com.atproto.admin.getInviteCodes({ cursor: 'not-a-cursor' }, admin), 'InvalidRequest', 400)
      await expectXrpcError(a.com.atproto.admin.getInviteCodes({ sort: 'oldest' }, admin), 'InvalidRequest', 400)
    } finally {
      await inv.close()
    }
  })
})
