// Open files under a low `ulimit -n`: the real `pds serve` runs with 256 descriptors while hundreds
// of accounts are read at once, firehose subscribers replay, blobs stream and writes land. The
// actor-store cache sizes itself to a quarter of the limit (64 descriptors here), so every request
// succeeds and the process never reaches the limit. (Sized by database count as before, 100
// databases = 300 descriptors, the same load fails with EMFILE.) The readers' describeRepo also
// makes the server fetch DID documents over loopback: outgoing fetches count too.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { AtpAgent } from '@atproto/api'
import sharp from 'sharp'
import { freePort, testEnv } from '../helpers/server.ts'
import { BULK_PASSWORD, createBulkAccounts } from '../helpers/bulk-accounts.ts'
import { subscribeRepos } from '../helpers/firehose.ts'
import { buildConfig } from '../../src/config/config.ts'
import { startServer } from '../../src/main.ts'

const LIMIT = 256
const ACCOUNTS = 300
const CLI = resolve(import.meta.dir, '../../cli/main.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'pds-ulimit-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!)
  }))
}

test(`ulimit -n ${LIMIT}: ${ACCOUNTS} accounts read at once, subscribers, blob streams and writes all succeed`, async () => {
  const port = await freePort()
  const env = testEnv(dataDir, port)
  writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  const setup = await startServer(buildConfig(env), { hostname: '127.0.0.1' })
  const accounts = await createBulkAccounts(setup.services, ACCOUNTS, { postsEach: 1 })
  await setup.stop()

  const stderr: string[] = []
  const proc = Bun.spawn(['sh', '-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, CLI, 'serve', '--data-dir', dataDir, '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error' },
    stdout: 'ignore',
    stderr: 'pipe',
  })
  void (async () => {
    for await (const chunk of proc.stderr) stderr.push(new TextDecoder().decode(chunk))
  })()
  const url = `http://127.0.0.1:${port}`
  let maxFds = 0
  const sampler = setInterval(() => {
    try {
      maxFds = Math.max(maxFds, readdirSync(`/proc/${proc.pid}/fd`).length)
    } catch {} // the process is gone: the assertions below say why
  }, 5)
  let writing = true
  try {
    for (let i = 0; i < 400 && !(await fetch(`${url}/xrpc/_health`).then((r) => r.ok, () => false)); i++) await Bun.sleep(50)
    expect(readFileLimit(proc.pid)).toBe(LIMIT)

    // Three writers, each with a ~200 KB image in a post (scrypt logins: only three).
    const image = new Uint8Array(await sharp(randomBytes(256 * 256 * 3), { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer())
    const writers = await Promise.all(accounts.slice(0, 3).map(async (account) => {
      const agent = new AtpAgent({ service: url })
      await agent.login({ identifier: account.handle, password: BULK_PASSWORD })
      const { data } = await agent.uploadBlob(image, { encoding: 'image/png' })
      await agent.com.atproto.repo.createRecord({
        repo: account.did,
        collection: 'app.bsky.feed.post',
        record: { text: 'with a blob', createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.images', images: [{ image: data.blob, alt: '' }] } },
      })
      return { agent, did: account.did, cid: data.blob.ref.toString() }
    }))

    const subscribers = await Promise.all(Array.from({ length: 20 }, () => subscribeRepos(port, { cursor: 0 })))
    const failures: string[] = []
    const check = async (res: Response, what: string) => {
      if (!res.ok) failures.push(`${what}: ${res.status} ${await res.text()}`)
      else await res.arrayBuffer()
    }
    const writes = writers.map(async (w) => {
      for (let i = 0; writing; i++) {
        await w.agent.com.atproto.repo
          .createRecord({ repo: w.did, collection: 'app.bsky.feed.post', record: { text: `#${i}`, createdAt: new Date().toISOString() } })
          .catch((err) => failures.push(`createRecord ${w.did}: ${err}`))
      }
    })
    const blobs = pool(Array.from({ length: 60 }, (_, i) => writers[i % writers.length]!), 6, async (w) => {
      await check(await fetch(`${url}/xrpc/com.atproto.sync.getBlob?did=${w.did}&cid=${w.cid}`), 'getBlob')
    })
    const reads = pool(accounts, 24, async (account) => {
      await check(await fetch(`${url}/xrpc/com.atproto.repo.describeRepo?repo=${account.did}`), `describeRepo ${account.did}`)
      await check(await fetch(`${url}/xrpc/com.atproto.repo.listRecords?repo=${account.did}&collection=app.bsky.feed.post`), `listRecords ${account.did}`)
    })
    await Promise.all([blobs, reads])
    writing = false
    await Promise.all(writes)

    // The server logs errors as JSON lines on stderr (its startup notes are plain `pds:` lines).
    const errors = stderr.join('').split('\n').filter((l) => l.startsWith('{') || /EMFILE|too many open files|unable to open/i.test(l))
    expect({ failures, errors }).toEqual({ failures: [], errors: [] })
    expect(maxFds).toBeLessThan(LIMIT)
    // Every subscriber replayed the whole history (4 events per account at least) and is still open.
    for (const s of subscribers) {
      expect(s.frames.length).toBeGreaterThanOrEqual(ACCOUNTS * 4)
      expect(s.frames.some((f) => f.header.op === -1)).toBe(false)
      expect(s.ws.readyState).toBe(WebSocket.OPEN)
      s.ws.close()
    }
    expect((await fetch(`${url}/xrpc/_health`)).ok).toBe(true)
  } finally {
    writing = false
    clearInterval(sampler)
    proc.kill('SIGTERM')
    await proc.exited
  }
}, 180_000)

function readFileLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'))!
  return Number(line.slice('Max open files'.length).trim().split(/\s+/)[0])
}
