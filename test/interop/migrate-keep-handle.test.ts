// Issue 21, keep your handle when moving: `pds migrate` (dist/pds) from the reference PDS keeps a
// custom-domain handle whose DNS TXT record `_atproto.<domain>` names the DID, and falls back to a handle
// on our domain, saying why, when it does not. The TXT records live on a loopback DNS server that our
// server asks as its backup nameserver (PDS_HANDLE_BACKUP_NAMESERVERS, as the reference's).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startPeers, createAccount, xrpc, type Account, type Peer, type Peers } from './peers.ts'
import { startDnsServer, type TestDns } from '../helpers/dns.ts'
import { pds } from '../cli/cli-harness.ts'

let env: Peers
let dns: TestDns
let ours: Peer
let reference: Peer
beforeAll(async () => {
  dns = await startDnsServer()
  env = await startPeers({ appView: true, dnsServer: dns.address })
  ours = env.peers.find((p) => p.name === 'ours')!
  reference = env.peers.find((p) => p.name === 'reference')!
}, 600_000)
afterAll(async () => {
  await env?.close()
  dns?.close()
})

/** An account on the reference that switched to a custom domain (the reference checks its TXT record). */
async function withCustomHandle(prefix: string, handle: string): Promise<Account> {
  const account = await createAccount(reference, prefix)
  dns.records.set(`_atproto.${handle}`, [`did=${account.did}`])
  await account.agent.com.atproto.identity.updateHandle({ handle })
  return { ...account, handle }
}

const plcHandle = async (did: string) => ((await (await fetch(`${env.plc.url}/${did}/data`)).json()) as { alsoKnownAs: string[] }).alsoKnownAs

test('a custom domain whose TXT record names the DID is kept through the whole move', async () => {
  const account = await withCustomHandle('keep', 'keep.custom-domain.org')
  const base = ['migrate', '--from', reference.url, '--handle', account.handle, '--password', account.password, '--url', ours.url, '--yes', '--json']

  const first = await pds(base)
  expect(first.stderr).toBe('')
  expect(first.json()).toMatchObject({ did: account.did, handle: 'keep.custom-domain.org', waitingFor: 'plc-token' })
  expect(first.json().handleNote).toBe(`keeping keep.custom-domain.org: its domain names ${account.did}`)
  const second = await pds([...base, '--plc-token', await env.smtp.tokenFor(account.email)])
  expect(second.code).toBe(0)
  expect(second.json()).toMatchObject({ done: true, handle: 'keep.custom-domain.org' })

  const agent = new AtpAgent({ service: ours.url })
  await agent.login({ identifier: account.did, password: account.password })
  expect(agent.session!.handle).toBe('keep.custom-domain.org')
  expect(await plcHandle(account.did)).toEqual(['at://keep.custom-domain.org'])
  expect((await xrpc(ours.url, 'com.atproto.identity.resolveHandle', { params: { handle: 'keep.custom-domain.org' } })).json).toEqual({ did: account.did })
}, 90_000)

test('a custom domain that does not name the DID: the same name on our domain, and the reason', async () => {
  const account = await withCustomHandle('lose', 'lose.elsewhere.org')
  // the domain now names another DID (say the domain changed hands)
  dns.records.set('_atproto.lose.elsewhere.org', ['did=did:plc:ewvi7nxzyoun6zhxrhs64oiz'])
  const run = await pds(['migrate', '--from', reference.url, '--handle', account.handle, '--password', account.password, '--url', ours.url, '--yes', '--json', '--stop-after', 'account'])
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.json()).toMatchObject({ did: account.did, handle: 'lose.test', stoppedAfter: 'account' })
  expect(run.json().handleNote).toBe(
    'lose.elsewhere.org cannot be kept (it names did:plc:ewvi7nxzyoun6zhxrhs64oiz): using lose.test; set lose.elsewhere.org again with updateHandle once the domain names ' + account.did,
  )
}, 90_000)
