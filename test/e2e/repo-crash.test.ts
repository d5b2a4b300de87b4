// Crash safety: the real `pds serve` process is killed with SIGKILL while writes stream in; after a
// restart every acknowledged write is present and the repo verifies against the account's key.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { freePort, testEnv, spawnServe } from '../helpers/server.ts'
import { buildConfig } from '../../src/config/config.ts'
import { createRepoService } from '../../src/services/repo/index.ts'
import { Lexicons } from '../../src/core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { createLogger } from '../../src/logger.ts'
import { NO_EVENTS } from '../../src/services/events.ts'
import { exportAndVerify } from './repo-harness.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'pds-crash-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const serve = (port: number) => spawnServe(dataDir, port)

test('SIGKILL mid-stream loses no acknowledged write', async () => {
  const port = await freePort()
  const env = testEnv(dataDir, port)
  writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')

  const first = await serve(port)
  const agent = new AtpAgent({ service: first.url })
  const { data } = await agent.createAccount({ email: 'crash@example.com', handle: 'crash.test', password: 'crash-password' })
  const acked: string[] = []
  let stop = false
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await agent.com.atproto.repo.createRecord({
          repo: data.did,
          collection: 'app.bsky.feed.post',
          record: { text: `w${w} #${i}`, createdAt: new Date().toISOString() },
        })
        acked.push(res.data.uri)
      } catch {
        return // the server died under us
      }
    }
  })
  await Bun.sleep(700)
  first.proc.kill('SIGKILL')
  await first.proc.exited
  stop = true
  await Promise.all(writers)
  expect(acked.length).toBeGreaterThan(10)

  const second = await serve(port)
  try {
    const again = new AtpAgent({ service: second.url })
    await again.login({ identifier: 'crash.test', password: 'crash-password' })
    const seen = new Set<string>()
    let cursor: string | undefined
    do {
      const page = await again.com.atproto.repo.listRecords({ repo: data.did, collection: 'app.bsky.feed.post', limit: 100, cursor })
      for (const r of page.data.records) seen.add(r.uri)
      cursor = page.data.records.length ? page.data.cursor : undefined
    } while (cursor)
    for (const uri of acked) expect(seen.has(uri)).toBe(true)
    // The write in flight at the kill may have landed too, but nothing else.
    expect(seen.size - acked.length).toBeLessThanOrEqual(4)
    // Writes keep working after the restart.
    await again.com.atproto.repo.createRecord({ repo: data.did, collection: 'app.bsky.feed.post', record: { text: 'after', createdAt: new Date().toISOString() } })
  } finally {
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }

  // Offline: open the data directory through the same service and verify the whole repo.
  const config = buildConfig(env)
  const repo = createRepoService(config, createLogger('silent'), { lexicons: new Lexicons(LEXICON_SOURCES, { lazy: true }), events: NO_EVENTS })
  try {
    const verified = await exportAndVerify(repo, data.did)
    expect(verified.creates.length).toBeGreaterThanOrEqual(acked.length + 1)
  } finally {
    repo.close()
  }
}, 60_000)
