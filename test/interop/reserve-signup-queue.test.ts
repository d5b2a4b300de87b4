// Issue 14 item 7: com.atproto.server.reserveSigningKey and com.atproto.temp.checkSignupQueue answer as
// the reference PDS does (each case on both servers, compared).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startPeers, createAccount, xrpc, type Peers } from './peers.ts'
import { parseDidKey } from '../../src/core/crypto/index.ts'

let env: Peers
beforeAll(async () => {
  env = await startPeers()
}, 600_000) // the first run may compile the reference's SQLite addon (scripts/ensure-reference-pds.sh)
afterAll(() => env?.close())

test('reserveSigningKey: a fresh secp256k1 did:key, the same one again for the same DID, no auth needed', async () => {
  const answers: Record<string, unknown> = {}
  for (const peer of env.peers) {
    const fresh1 = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey', { body: {} })
    const fresh2 = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey', { body: {} })
    const did = 'did:plc:reservedkeytestaaaaaaaaa'
    const forDid1 = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey', { body: { did } })
    const forDid2 = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey', { body: { did } })
    const bad = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey', { body: { did: 'not a did' } })
    const get = await xrpc(peer.url, 'com.atproto.server.reserveSigningKey')
    for (const res of [fresh1, fresh2, forDid1]) expect(parseDidKey(res.json.signingKey).jwtAlg).toBe('ES256K')
    answers[peer.name] = {
      statuses: [fresh1.status, fresh2.status, forDid1.status, forDid2.status],
      freshDiffer: fresh1.json.signingKey !== fresh2.json.signingKey,
      sameForDid: forDid1.json.signingKey === forDid2.json.signingKey,
      bad: `${bad.status} ${bad.error}`,
      get: `${get.status} ${get.error}`,
    }
  }
  expect(answers.ours).toEqual(answers.reference)
  expect(answers.ours).toMatchObject({ statuses: [200, 200, 200, 200], freshDiffer: true, sameForDid: true, bad: '400 InvalidRequest' })
}, 30_000)

test('checkSignupQueue: activated for any session (app passwords too), 401 without one', async () => {
  const answers: Record<string, unknown> = {}
  for (const peer of env.peers) {
    const { agent, handle } = await createAccount(peer, 'queue')
    const appPass = (await agent.com.atproto.server.createAppPassword({ name: 'q' })).data.password
    const appAgent = new AtpAgent({ service: peer.url })
    await appAgent.login({ identifier: handle, password: appPass })
    const anonymous = await xrpc(peer.url, 'com.atproto.temp.checkSignupQueue')
    answers[peer.name] = {
      session: (await agent.com.atproto.temp.checkSignupQueue()).data,
      appPassword: (await appAgent.com.atproto.temp.checkSignupQueue()).data,
      anonymous: `${anonymous.status} ${anonymous.error}`,
    }
  }
  expect(answers.ours).toEqual(answers.reference)
  expect(answers.ours).toEqual({ session: { activated: true }, appPassword: { activated: true }, anonymous: '401 AuthMissing' })
}, 30_000)

test('a migrating account created here takes the key reserved for its DID', async () => {
  const ours = env.peers.find((p) => p.name === 'ours')!
  // A did:plc made on the test PLC directory by an account elsewhere (the reference), then moved here.
  const source = await createAccount(env.peers.find((p) => p.name === 'reference')!, 'reserve')
  const reserved = (await xrpc(ours.url, 'com.atproto.server.reserveSigningKey', { body: { did: source.did } })).json.signingKey
  const auth = await source.agent.com.atproto.server.getServiceAuth({ aud: ours.did, lxm: 'com.atproto.server.createAccount' })
  const target = new AtpAgent({ service: ours.url })
  await target.com.atproto.server.createAccount(
    { did: source.did, handle: `reserve-moved.test`, email: 'reserve-moved@example.com', password: 'moved-password' },
    { headers: { authorization: `Bearer ${auth.data.token}` }, encoding: 'application/json' },
  )
  await target.login({ identifier: source.did, password: 'moved-password' })
  const creds = (await target.com.atproto.identity.getRecommendedDidCredentials()).data
  expect((creds.verificationMethods as { atproto: string }).atproto).toBe(reserved)
  // the reservation is used up: asking again reserves a new key
  const again = (await xrpc(ours.url, 'com.atproto.server.reserveSigningKey', { body: { did: source.did } })).json.signingKey
  expect(again).not.toBe(reserved)
}, 30_000)
