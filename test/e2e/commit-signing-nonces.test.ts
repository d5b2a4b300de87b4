// Commits are signed with nonces made while earlier commits waited for their sync
// (src/services/repo/nonce-pool.ts), one account writing alone or several at once. Every repo must
// still verify with @atproto/repo against its account's signing key, commit after commit.
import { afterAll, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer | undefined
afterAll(() => server?.close())

test('commits signed with pooled nonces verify, one account alone and eight at once', async () => {
  server = await startTestServer()
  const accounts = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const agent = new AtpAgent({ service: server!.url })
      const { data } = await agent.createAccount({ email: `signer${i}@example.com`, handle: `signer${i}.test`, password: 'signer-password' })
      return { agent, did: data.did }
    }),
  )
  const post = ({ agent, did }: (typeof accounts)[number], i: number) =>
    agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: `post ${i}`, createdAt: new Date().toISOString() } })
  const pool = server.services.repo.deps.noncePool!
  // Every commit lends its sync's wait to the pool.
  const waits: Promise<unknown>[] = []
  const fillWhile = pool.fillWhile.bind(pool)
  pool.fillWhile = (waiting) => (waits.push(waiting), fillWhile(waiting))
  await post(accounts[0]!, 0)
  expect(waits.length).toBe(1)
  // How many nonces a wait makes depends on the disk; filled here so that every commit below has one.
  for (let i = 0; i < 500 && pool.ready < 200; i++) {
    fillWhile(Bun.sleep(10))
    await Bun.sleep(10)
  }
  expect(pool.ready).toBeGreaterThanOrEqual(200)
  const before = pool.taken
  for (let i = 1; i < 15; i++) await post(accounts[0]!, i)
  await Promise.all(accounts.slice(1).map(async (account) => { for (let i = 0; i < 15; i++) await post(account, i) }))
  expect(pool.taken - before).toBe(14 + 7 * 15)
  expect(waits.length).toBe(15 + 7 * 15)
  for (const { agent, did } of accounts) {
    const { data: car } = await agent.com.atproto.sync.getRepo({ did })
    const verified = await verifyRepoCar(car, did, server.services.repo.signingKey(did).did())
    expect(verified.creates.length).toBe(15)
    const { data: head } = await agent.com.atproto.sync.getLatestCommit({ did })
    expect(verified.commit.rev).toBe(head.rev)
  }
}, 60_000)
