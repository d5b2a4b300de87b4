// Several accounts writing at once: their commits are signed on the signing thread (src/native/
// sign-pool.ts) while the event loop builds the next ones. Every repo must still verify with
// @atproto/repo against its account's signing key, commit after commit.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { freePort, testEnv } from '../helpers/server.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-concurrent-signing-'))
let server: RunningServer | undefined
afterAll(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

test('commits of accounts writing at once are signed off-thread and every repo verifies', async () => {
  server = await startServer(buildConfig(testEnv(dataDir, await freePort())), { hostname: '127.0.0.1' })
  const accounts = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const agent = new AtpAgent({ service: server!.url })
      const { data } = await agent.createAccount({ email: `signer${i}@example.com`, handle: `signer${i}.test`, password: 'signer-password' })
      return { agent, did: data.did }
    }),
  )
  await Promise.all(
    accounts.map(async ({ agent, did }) => {
      for (let i = 0; i < 15; i++) {
        await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: `post ${i}`, createdAt: new Date().toISOString() } })
      }
    }),
  )
  const signer = server.services.repo.deps.offThreadSigner!
  expect(signer.signed).toBeGreaterThan(0)
  for (const { agent, did } of accounts) {
    const { data: car } = await agent.com.atproto.sync.getRepo({ did })
    const verified = await verifyRepoCar(car, did, server.services.repo.signingKey(did).did())
    expect(verified.creates.length).toBe(15)
    const { data: head } = await agent.com.atproto.sync.getLatestCommit({ did })
    expect(verified.commit.rev).toBe(head.rev)
  }
}, 60_000)
