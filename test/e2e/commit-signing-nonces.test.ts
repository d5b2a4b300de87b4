// Commits are signed with nonces made while earlier commits waited for their sync
// (src/services/repo/nonce-pool.ts), one account writing alone or several at once. Every repo must still verify with @atproto/repo against its
// account's signing key, commit after commit.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { freePort, testEnv } from '../helpers/server.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-commit-nonces-'))
let server: RunningServer | undefined
afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

test('commits signed with pooled nonces verify, one account alone and eight at once', async () => {
  server = await startServer(buildConfig(testEnv(dataDir, await freePort())), { hostname: '127.0.0.1' })
  const accounts = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const agent = new AtpAgent({ service: server!.url })
      const { data } = await agent.createAccount({ email: `signer${i}@example.com`, handle: `signer${i}.test`, password: 'signer-password' })
      return { agent, did: data.did }
    }),
  )
  const post = ({ agent, did }: (typeof accounts)[number], i: number) =>
    agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: `post ${i}`, createdAt: new Date().toISOString() } })
  // The first commit signs the usual way (the pool is empty); its sync's wait makes the next one's nonce.
  const pool = server.services.repo.deps.noncePool!
  for (let i = 0; i < 15; i++) await post(accounts[0]!, i)
  expect(pool.taken).toBeGreaterThanOrEqual(10)
  const alone = pool.taken
  // At once, the waits overlap other commits' work: fewer nonces are made, the rest sign the usual way.
  await Promise.all(accounts.slice(1).map(async (account) => { for (let i = 0; i < 15; i++) await post(account, i) }))
  expect(pool.taken).toBeGreaterThan(alone)
  for (const { agent, did } of accounts) {
    const { data: car } = await agent.com.atproto.sync.getRepo({ did })
    const verified = await verifyRepoCar(car, did, server.services.repo.signingKey(did).did())
    expect(verified.creates.length).toBe(15)
    const { data: head } = await agent.com.atproto.sync.getLatestCommit({ did })
    expect(verified.commit.rev).toBe(head.rev)
  }
}, 60_000)
