// Litestream (the real binary, npm @flydotio/litestream-linux-x64: v0.3.13) against s3rver: pds with
// PDS_LITESTREAM=true, the generated litestream.yml, writes while Litestream replicates, restore into an
// empty directory, then `pds serve` on it with every acknowledged write present. Plus the config output
// and the checkpointer switch on their own.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { formatEnvFile } from '../../src/config/env.ts'
import { canonicalLayout, listActorDirs } from '../../src/services/backup/layout.ts'
import { litestreamConfig, litestreamDatabases } from '../../src/services/backup/litestream.ts'
import { buildConfig } from '../../src/config/config.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { leaveCheckpointsToLitestream, SAFETY_NET_AUTOCHECKPOINT } from '../../src/storage/wal-checkpointer.ts'
import { freePort, spawnServe, testEnv } from '../helpers/server.ts'
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts'
import { startAccountHarness, type AccountHarness } from '../e2e/account-harness.ts'
import { makeDataDir } from './backup-fixture.ts'
import { pds } from './cli-harness.ts'

const LITESTREAM = resolve(import.meta.dir, '../../node_modules/@flydotio/litestream-linux-x64/litestream')
const BUCKET = 'pds-litestream'
const work = mkdtempSync(join(tmpdir(), 'pds-litestream-'))
let s3: TestS3
let h: AccountHarness
let replicate: ReturnType<typeof Bun.spawn> | undefined
let served: Awaited<ReturnType<typeof spawnServe>> | undefined

const autocheckpoint = (db: ReturnType<typeof openDatabase>) => (db.query('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint
const litestreamEnv = () => ({ PATH: process.env.PATH ?? '', LITESTREAM_ACCESS_KEY_ID: 'S3RVER', LITESTREAM_SECRET_ACCESS_KEY: 'S3RVER' })

async function litestream(args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([LITESTREAM, ...args], { env: litestreamEnv(), stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, out: out + err }
}

beforeAll(async () => {
  s3 = await startS3rver([BUCKET])
})
afterAll(async () => {
  replicate?.kill()
  served?.proc.kill()
  await h?.close()
  await s3?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('checkpoints and config', () => {
  test('PDS_LITESTREAM: databases under the given paths get no checkpoints from pds; others keep theirs', () => {
    const dir = join(work, 'ckpt')
    mkdirSync(join(dir, 'actors'), { recursive: true })
    const undo = leaveCheckpointsToLitestream([join(dir, 'account.sqlite'), join(dir, 'actors')])
    try {
      const account = openDatabase(join(dir, 'account.sqlite'), 'account')
      const actor = openDatabase(join(dir, 'actors', 'ab', 'did:plc:x', 'store.sqlite'), 'actor')
      const other = openDatabase(join(dir, 'sequencer.sqlite'), 'sequencer')
      expect(autocheckpoint(account)).toBe(0)
      expect(autocheckpoint(actor)).toBe(0)
      expect(autocheckpoint(other)).toBe(SAFETY_NET_AUTOCHECKPOINT)
      for (const db of [account, actor, other]) db.close()
    } finally {
      undo()
    }
    const after = openDatabase(join(dir, 'account.sqlite'), 'account')
    expect(autocheckpoint(after)).toBe(SAFETY_NET_AUTOCHECKPOINT)
    after.close()

    // PDS_LITESTREAM=server (with `litestream-config --no-actors`): the actor stores stay with pds.
    const all = buildConfig(testEnv(dir, 1, { PDS_LITESTREAM: 'true' }))
    const server = buildConfig(testEnv(dir, 1, { PDS_LITESTREAM: 'server' }))
    expect(litestreamDatabases(all)).toContain(join(dir, 'actors'))
    expect(litestreamDatabases(server)).toEqual([join(dir, 'account.sqlite'), join(dir, 'sequencer.sqlite'), join(dir, 'did_cache.sqlite'), join(dir, 'moderation.sqlite')])
    expect(buildConfig(testEnv(dir, 1)).db.litestream).toBe(false)
    expect(() => buildConfig(testEnv(dir, 1, { PDS_LITESTREAM: 'actors' }))).toThrow('must be true, server or false')
  })

  test('litestream.yml lists the server databases and every actor store, with the replica settings', () => {
    const dir = join(work, 'config')
    const actors = makeDataDir(dir, 3)
    const yaml = litestreamConfig({
      layout: canonicalLayout(dir),
      target: { bucket: 'bk', prefix: 'p/litestream', endpoint: 'http://127.0.0.1:9', region: 'eu-1', forcePathStyle: true },
      generatedAt: new Date('2026-01-02T03:04:05Z'),
    })
    expect(yaml).toContain('written by `pds litestream-config` at 2026-01-02T03:04:05.000Z')
    expect(yaml.match(/^ {2}- path: /gm)).toHaveLength(7)
    for (const name of ['account.sqlite', 'sequencer.sqlite', 'did_cache.sqlite', 'moderation.sqlite']) {
      expect(yaml).toContain(`  - path: ${JSON.stringify(join(dir, name))}\n    replicas:\n      - type: s3\n        bucket: "bk"\n        path: "p/litestream/${name}"\n        endpoint: "http://127.0.0.1:9"\n        region: "eu-1"\n        force-path-style: true\n`)
    }
    for (const actor of actors) expect(yaml).toContain(`path: ${JSON.stringify(join(actor.dir, 'store.sqlite'))}`)
    const rel = listActorDirs(join(dir, 'actors')).map((a) => `path: "p/litestream/actors/${a.relativeDir}/store.sqlite"`)
    for (const line of rel) expect(yaml).toContain(line)
    const serverOnly = litestreamConfig({ layout: canonicalLayout(dir), target: { bucket: 'bk', prefix: '', forcePathStyle: false }, actors: false })
    expect(serverOnly.match(/^ {2}- path: /gm)).toHaveLength(4)
    expect(serverOnly).not.toContain('store.sqlite')
    expect(serverOnly).toContain('path: "account.sqlite"')
  })
})

describe('the real Litestream binary', () => {
  test('replicates while pds writes; restored into an empty directory, pds serve has every acknowledged write', async () => {
    expect((await litestream(['version'])).out.trim()).toBe('v0.3.13')
    h = await startAccountHarness({ PDS_LITESTREAM: 'true' })
    const serverEnv = { PDS_DID_PLC_URL: h.plc.url, PDS_EMAIL_SMTP_URL: h.smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost', PDS_LITESTREAM: 'true' }
    writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, serverEnv)), { mode: 0o600 })
    const users = [await h.signUp('alice'), await h.signUp('bob')]
    const acknowledged: string[] = []
    for (const user of users) acknowledged.push((await user.agent.post({ text: `before ${user.handle}`, createdAt: new Date().toISOString() })).uri)

    const yml = join(work, 'litestream.yml')
    const url = `s3://${BUCKET}/srv?endpoint=${encodeURIComponent(s3.url)}&region=us-east-1&force_path_style=true`
    const generated = await pds(['litestream-config', '--data-dir', h.server.dataDir, '--to', url, '--out', yml, '--json'])
    expect(generated.stderr).toBe('')
    expect(generated.code).toBe(0)
    expect(generated.json()).toMatchObject({ ok: true, databases: 6 })

    replicate = Bun.spawn([LITESTREAM, 'replicate', '-config', yml], { env: litestreamEnv(), stdout: 'ignore', stderr: process.env.LITESTREAM_LOG ? 'inherit' : 'ignore' })
    const client = s3.client(BUCKET)
    const snapshotted = async () => ((await client.list({ prefix: 'srv/', maxKeys: 1000 })).contents ?? []).filter((o) => o.key.includes('/snapshots/')).length
    for (let i = 0; i < 200 && (await snapshotted()) < 6; i++) await Bun.sleep(100)
    expect(await snapshotted()).toBe(6)

    for (let i = 0; i < 20; i++) {
      const user = users[i % 2]!
      acknowledged.push((await user.agent.post({ text: `during ${i}`, createdAt: new Date().toISOString() })).uri)
    }
    await Bun.sleep(3000) // Litestream ships the WAL every second
    replicate.kill('SIGINT')
    await replicate.exited
    replicate = undefined

    // An empty directory: the databases from Litestream; keys and pds.env from elsewhere (pds backup).
    const fresh = join(work, 'restored')
    const source = canonicalLayout(h.server.dataDir)
    for (const name of ['account.sqlite', 'sequencer.sqlite', 'did_cache.sqlite', 'moderation.sqlite']) {
      const res = await litestream(['restore', '-config', yml, '-o', join(fresh, name), join(source.dataDirectory, name)])
      if (res.code !== 0) console.log(((await client.list({ prefix: `srv/${name}/` })).contents ?? []).map((o) => `${o.key} ${o.size}`))
      expect(res.out).not.toContain('error')
      expect(res.code).toBe(0)
    }
    for (const actor of listActorDirs(source.actorStoreDirectory)) {
      const dest = join(fresh, 'actors', actor.relativeDir)
      mkdirSync(dest, { recursive: true })
      const res = await litestream(['restore', '-config', yml, '-o', join(dest, 'store.sqlite'), join(actor.dir, 'store.sqlite')])
      expect(res.code).toBe(0)
      copyFileSync(join(actor.dir, 'key'), join(dest, 'key'))
    }
    expect(existsSync(join(fresh, 'blobs'))).toBe(false)
    const port = await freePort()
    writeFileSync(join(fresh, 'pds.env'), formatEnvFile(testEnv(fresh, port, serverEnv)), { mode: 0o600 })
    writeFileSync(join(fresh, '.pds-running'), '') // restored file by file: check every repo at start
    served = await spawnServe(fresh, port)
    const agent = new AtpAgent({ service: served.url })
    for (const user of users) {
      const login = await agent.login({ identifier: user.handle, password: user.password })
      expect(login.data.did).toBe(user.did)
      const listed = await agent.com.atproto.repo.listRecords({ repo: user.did, collection: 'app.bsky.feed.post', limit: 100 })
      expect(listed.data.records.map((r) => r.uri).sort()).toEqual(acknowledged.filter((u) => u.startsWith(`at://${user.did}/`)).sort())
    }
    expect(readFileSync(yml, 'utf8')).toContain('Generate it again')
  }, 120_000)
})
