import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startAccountHarness, type AccountHarness } from './account-harness.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer } from '../../src/main.ts'
import { createLogger } from '../../src/logger.ts'
import { P256Keypair, Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { createServiceJwt } from '../../src/services/service-auth/index.ts'
import type { RepoEventSink } from '../../src/services/events.ts'

let h: AccountHarness
beforeAll(async () => {
  h = await startAccountHarness()
})
afterAll(() => h.close())

const errorOf = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as { error?: string; status?: number; message?: string } | undefined
const plcData = async (did: string) =>
  (await (await fetch(`${h.plc.url}/${did}/data`)).json()) as { rotationKeys: string[]; alsoKnownAs: string[]; verificationMethods: Record<string, string>; services: Record<string, { endpoint: string }> }

describe('PLC operations signed by the PDS', () => {
  test('recommended credentials match the DID document; checkAccountStatus reports the repo', async () => {
    const { agent, did, handle } = await h.signUp('pia')
    await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'hi', createdAt: new Date().toISOString() } })
    const creds = (await agent.com.atproto.identity.getRecommendedDidCredentials()).data
    const data = await plcData(did)
    expect(creds.rotationKeys).toEqual(data.rotationKeys)
    expect(creds.alsoKnownAs).toEqual([`at://${handle}`])
    expect(creds.verificationMethods).toEqual(data.verificationMethods)
    expect(creds.services).toEqual({ atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: h.server.config.service.publicUrl } })

    const status = (await agent.com.atproto.server.checkAccountStatus()).data
    expect(status).toMatchObject({ activated: true, validDid: true, indexedRecords: 1, privateStateValues: 0, expectedBlobs: 0, importedBlobs: 0 })
    expect(status.repoBlocks).toBeGreaterThan(1)
    expect(status.repoCommit).toBe(h.server.services.repo.getRepoRoot(did)!.cid.toString())
  })

  test('an emailed token lets the PDS sign an update; submit checks it keeps the account here', async () => {
    const { agent, did, handle, email } = await h.signUp('otto')
    const extraKey = Secp256k1Keypair.create().did()
    expect((await errorOf(agent.com.atproto.identity.signPlcOperation({})))?.status).toBe(400)
    await agent.com.atproto.identity.requestPlcOperationSignature()
    const token = await h.smtp.tokenFor(email)
    expect(h.smtp.mails.at(-1)!.raw).toContain('PLC')
    const before = await plcData(did)
    const signed = await agent.com.atproto.identity.signPlcOperation({ token, rotationKeys: [extraKey, ...before.rotationKeys] })
    const op = signed.data.operation as { rotationKeys: string[]; prev: string; sig: string; services: Record<string, { type: string; endpoint: string }>; verificationMethods: Record<string, string>; alsoKnownAs: string[] }
    expect(op.rotationKeys[0]).toBe(extraKey)
    expect(op.alsoKnownAs).toEqual([`at://${handle}`])
    // The token is single use.
    expect((await errorOf(agent.com.atproto.identity.signPlcOperation({ token })))?.error).toBe('InvalidToken')

    const bad = async (patch: Record<string, unknown>, message: string) => {
      const err = await errorOf(agent.com.atproto.identity.submitPlcOperation({ operation: { ...op, ...patch } }))
      expect(err?.message).toBe(message)
    }
    await bad({ rotationKeys: [extraKey] }, "Rotation keys do not include server's rotation key")
    await bad({ services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: 'https://elsewhere.example' } } }, 'Incorrect endpoint on atproto_pds service')
    await bad({ services: { atproto_pds: { type: 'Other', endpoint: h.server.config.service.publicUrl } } }, 'Incorrect type on atproto_pds service')
    await bad({ verificationMethods: { atproto: extraKey } }, 'Incorrect signing key')
    await bad({ alsoKnownAs: ['at://someone.test'] }, 'Incorrect handle in alsoKnownAs')
    await bad({ type: 'plc_tombstone' }, 'Invalid operation')

    const identities: unknown[][] = []
    const services = h.server.services
    const original = services.events
    services.events = { ...original, identity: (...args: Parameters<RepoEventSink['identity']>) => (identities.push(args), original.identity(...args)) }
    try {
      await agent.com.atproto.identity.submitPlcOperation({ operation: op })
    } finally {
      services.events = original
    }
    expect(identities).toEqual([[did, handle]])
    expect((await plcData(did)).rotationKeys).toEqual([extraKey, ...before.rotationKeys])
  })

  test('app passwords cannot ask for PLC signatures', async () => {
    const { agent, handle } = await h.signUp('abel')
    const { password } = (await agent.com.atproto.server.createAppPassword({ name: 'app' })).data
    const app = h.agent()
    await app.login({ identifier: handle, password })
    expect((await errorOf(app.com.atproto.identity.requestPlcOperationSignature()))?.error).toBe('InvalidToken')
    expect((await errorOf(app.com.atproto.identity.signPlcOperation({ token: 'AAAAA-BBBBB' })))?.error).toBe('InvalidToken')
  })
})

test('PDS_RECOVERY_DID_KEY heads the genesis rotation keys', async () => {
  const recovery = Secp256k1Keypair.create().did()
  const r = await startAccountHarness({ PDS_RECOVERY_DID_KEY: recovery })
  try {
    const { agent, did } = await r.signUp('rex')
    const audit = (await (await fetch(`${r.plc.url}/${did}/log/audit`)).json()) as Array<{ operation: { rotationKeys: string[] } }>
    expect(audit[0]!.operation.rotationKeys).toHaveLength(2)
    expect(audit[0]!.operation.rotationKeys[0]).toBe(recovery)
    expect((await agent.com.atproto.identity.getRecommendedDidCredentials()).data.rotationKeys?.[0]).toBe(recovery)
  } finally {
    await r.close()
  }
})

test('bring your own did:web: service auth from its key, deactivated until the document points here', async () => {
  const userKey = Secp256k1Keypair.create()
  let doc: Record<string, unknown> = {}
  const web = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => (new URL(req.url).pathname === '/.well-known/did.json' ? Response.json(doc) : new Response('no', { status: 404 })) })
  const did = `did:web:localhost%3A${web.port}`
  const docFor = (signingKey: string, pds: string) => ({
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: ['at://webby.test'],
    verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: signingKey.slice('did:key:'.length) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pds }],
  })
  doc = docFor(userKey.did(), 'https://old-pds.example')
  try {
    const jwt = createServiceJwt({ iss: did, aud: h.server.config.service.did, lxm: 'com.atproto.server.createAccount', keypair: userKey })
    const input = { did, handle: 'webby.test', email: 'webby@example.com', password: 'webby-password' }
    const agent = h.agent()
    expect((await errorOf(agent.com.atproto.server.createAccount(input)))?.status).toBe(401)
    const created = await agent.com.atproto.server.createAccount(input, { headers: { authorization: `Bearer ${jwt}` } })
    expect(created.data.did).toBe(did)
    expect(h.server.services.accounts.getAccount(did, { includeDeactivated: true })!.status).toBe('deactivated')

    await agent.login({ identifier: 'webby.test', password: 'webby-password' })
    expect((await agent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: false, validDid: false })
    const creds = (await agent.com.atproto.identity.getRecommendedDidCredentials()).data
    doc = docFor((creds.verificationMethods as { atproto: string }).atproto, h.server.config.service.publicUrl)
    expect((await agent.com.atproto.server.checkAccountStatus()).data.validDid).toBe(true)
    await agent.com.atproto.server.activateAccount()
    expect((await agent.com.atproto.server.getSession()).data.active).toBe(true)
  } finally {
    web.stop(true)
  }
})

test('migration onto us: createAccount takes service auth from a DID document listing its key in the older suites', async () => {
  let doc: Record<string, unknown> = {}
  const web = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => (new URL(req.url).pathname === '/.well-known/did.json' ? Response.json(doc) : new Response('no', { status: 404 })) })
  try {
    const cases = [
      { key: Secp256k1Keypair.create(), suite: 'EcdsaSecp256k1VerificationKey2019', name: 'legacyk' },
      { key: P256Keypair.create(), suite: 'EcdsaSecp256r1VerificationKey2019', name: 'legacyr' },
    ]
    for (const { key, suite, name } of cases) {
      const did = `did:web:localhost%3A${web.port}`
      doc = {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/secp256k1-2019/v1'],
        id: did,
        alsoKnownAs: [`at://${name}.test`],
        verificationMethod: [{ id: `${did}#atproto`, type: suite, controller: did, publicKeyMultibase: key.publicKeyMultibaseLegacy() }],
        service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://old-pds.example' }],
      }
      const jwt = createServiceJwt({ iss: did, aud: h.server.config.service.did, lxm: 'com.atproto.server.createAccount', keypair: key })
      const input = { did, handle: `${name}.test`, email: `${name}@example.com`, password: 'legacy-password' }
      const created = await h.agent().com.atproto.server.createAccount(input, { headers: { authorization: `Bearer ${jwt}` } })
      expect(created.data.did).toBe(did)
      // the same DID again: the key check passed, now the account exists
      const again = await errorOf(h.agent().com.atproto.server.createAccount(input, { headers: { authorization: `Bearer ${jwt}` } }))
      expect(again?.status).toBe(400)
      await h.server.services.accounts.deleteAccount(did) // the next case reuses this did:web
    }
  } finally {
    web.stop(true)
  }
})

test('dev mode without PDS_DID_PLC_URL: the PLC directory is served under /_plc; mail goes to the log', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pds-devplc-'))
  const lines: string[] = []
  const env = testEnv(dataDir, await freePort(), { LOG_LEVEL: 'info' })
  const config = buildConfig(env)
  expect(config.identity.localPlc).toBe(true)
  const server = await startServer(config, { hostname: '127.0.0.1', log: createLogger('info', {}, (line) => lines.push(line) > 0) })
  try {
    const agent = new AtpAgent({ service: server.url })
    const { data } = await agent.createAccount({ email: 'devon@example.com', handle: 'devon.test', password: 'devon-password' })
    expect(data.did).toMatch(/^did:plc:/)
    const res = await fetch(`${server.url}/_plc/${data.did}`)
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { id: string; alsoKnownAs: string[] }
    expect(doc.id).toBe(data.did)
    expect(doc.alsoKnownAs).toEqual(['at://devon.test'])

    // No SMTP: the token is in the log, and the flow completes with it.
    await agent.com.atproto.server.requestPasswordReset({ email: 'devon@example.com' })
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; to?: string; text?: string }).find((l) => l.to === 'devon@example.com')
    const token = logged?.text?.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
    expect(token).toBeString()
    await agent.com.atproto.server.resetPassword({ token: token!, password: 'devon-new-password' })
    expect((await new AtpAgent({ service: server.url }).login({ identifier: 'devon.test', password: 'devon-new-password' })).data.did).toBe(data.did)
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
