// Off-site backups against s3rver (a third-party S3 on loopback), through the compiled binary: encrypted
// uploads, incremental blobs, list, verify (catching altered and truncated objects), restore onto a
// fresh host from the bucket and the passphrase alone, then `pds serve` on it with every account,
// record and blob; and the refusals: wrong passphrase, unreachable bucket, another server's backups.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { formatEnvFile } from '../../src/config/env.ts'
import { loadSharp } from '../../src/native/sharp.ts'
import { freePort, spawnServe, testEnv } from '../helpers/server.ts'
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts'
import { startAccountHarness, type AccountHarness } from '../e2e/account-harness.ts'
import { pds } from './cli-harness.ts'

const BUCKET = 'pds-offsite'
const URL_ = `s3://${BUCKET}/server-one`
const PASSPHRASE = 'correct horse battery staple 42'
const work = mkdtempSync(join(tmpdir(), 'pds-offsite-'))
let s3: TestS3
let h: AccountHarness
let served: Awaited<ReturnType<typeof spawnServe>> | undefined
const users: Array<Awaited<ReturnType<AccountHarness['signUp']>>> = []
const blobs: Array<{ did: string; cid: string; bytes: Uint8Array }> = []
const posts: string[] = []
const backups: string[] = []

const s3Env = (extra: Record<string, string> = {}) => ({ ...s3.env(), PDS_BACKUP_AGE_PASSPHRASE: PASSPHRASE, ...extra })
const serverEnv = () => ({ PDS_DID_PLC_URL: h.plc.url, PDS_EMAIL_SMTP_URL: h.smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost' })
const objects = async () => (await s3.client(BUCKET).list({ prefix: 'server-one/' })).contents?.map((o) => o.key) ?? []

async function image(color: string): Promise<Uint8Array> {
  const sharp = await loadSharp()
  return new Uint8Array(await sharp({ create: { width: 32, height: 24, channels: 3, background: color } }).png().toBuffer())
}

async function postWithImage(user: (typeof users)[number], color: string): Promise<void> {
  const bytes = await image(color)
  const blob = (await user.agent.uploadBlob(bytes, { encoding: 'image/png' })).data.blob
  const res = await user.agent.post({
    text: `picture ${color}`,
    embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: color }] },
    createdAt: new Date().toISOString(),
  })
  blobs.push({ did: user.did, cid: blob.ref.toString(), bytes })
  posts.push(res.uri)
}

beforeAll(async () => {
  s3 = await startS3rver([BUCKET])
  h = await startAccountHarness()
  writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, serverEnv())), { mode: 0o600 })
  users.push(await h.signUp('alice'), await h.signUp('bob'))
  await postWithImage(users[0]!, '#aa3366')
  posts.push((await users[1]!.agent.post({ text: 'hello from bob', createdAt: new Date().toISOString() })).uri)
}, 60_000)
afterAll(async () => {
  served?.proc.kill()
  await h?.close()
  await s3?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('off-site backups to S3 (s3rver)', () => {
  test('create: everything encrypted; the second backup uploads only the new blob', async () => {
    const first = await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--to', URL_, '--json'], { env: s3Env() })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.json()).toMatchObject({ ok: true, url: URL_, accounts: 2, blobsUploaded: 1, blobsReused: 0 })
    backups.push(first.json().name)

    // Nothing readable left the machine: only the marker and the index are in clear.
    const client = s3.client(BUCKET)
    const keys = await objects()
    expect(keys).toContain('server-one/pds-backup.json')
    expect(keys).toContain(`server-one/blobs/${blobs[0]!.did}/${blobs[0]!.cid}.age`)
    expect(keys).toContain(`server-one/backups/${backups[0]}/files/account.sqlite.age`)
    for (const key of keys) {
      if (key.endsWith('.json')) continue
      expect(key.endsWith('.age')).toBe(true)
      const bytes = await client.file(key).bytes()
      const text = new TextDecoder('latin1').decode(bytes)
      expect(text.startsWith('age-encryption.org/v1\n')).toBe(true)
      expect(text).not.toContain('SQLite format 3')
      expect(text).not.toContain('alice@example.com')
      expect(text).not.toContain('PDS_JWT_SECRET')
    }
    const pngObject = await client.file(`server-one/blobs/${blobs[0]!.did}/${blobs[0]!.cid}.age`).bytes()
    expect(Buffer.from(pngObject).includes(Buffer.from(blobs[0]!.bytes.slice(0, 64)))).toBe(false)

    await postWithImage(users[0]!, '#33aa66')
    await postWithImage(users[1]!, '#3366aa')
    await Bun.sleep(1100) // backup names are per second
    const second = await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--to', URL_, '--json'], { env: s3Env() })
    expect(second.code).toBe(0)
    expect(second.json()).toMatchObject({ blobsUploaded: 2, blobsReused: 1 })
    backups.push(second.json().name)
  }, 120_000)

  test('list works from the bucket alone (no pds.env, no key)', async () => {
    const list = await pds(['backup', 'list', '--from', URL_, '--data-dir', join(work, 'nowhere'), '--json'], { env: s3.env() })
    expect(list.code).toBe(0)
    const body = list.json()
    expect(body.serverDid).toBe('did:web:localhost')
    expect(body.encryption).toBe('passphrase')
    expect(body.backups.map((b: { name: string }) => b.name)).toEqual(backups)
    expect(body.backups.map((b: { blobs: string[] }) => b.blobs.length)).toEqual([1, 3])
    expect(body.backups[1].accounts).toBe(2)
  })

  test('verify: the newest is OK; an altered and a truncated object are named', async () => {
    const ok = await pds(['backup', 'verify', '--from', URL_, '--json'], { env: s3Env() })
    expect(ok.json().problems).toEqual([])
    expect(ok.code).toBe(0)
    expect(ok.json()).toMatchObject({ ok: true, name: backups[1], checked: { repos: 2, blobs: 3 } })

    const client = s3.client(BUCKET)
    const altered = `server-one/backups/${backups[0]}/files/account.sqlite.age`
    const bytes = await client.file(altered).bytes()
    bytes[bytes.length - 200]! ^= 0x01
    await client.write(altered, bytes)
    const truncated = `server-one/backups/${backups[0]}/files/sequencer.sqlite.age`
    const full = await client.file(truncated).bytes()
    await client.write(truncated, full.slice(0, full.length - 50))

    const bad = await pds(['backup', 'verify', backups[0]!, '--from', URL_, '--json'], { env: s3Env() })
    expect(bad.code).toBe(1)
    const problems = bad.json().problems as Array<{ path: string; problem: string }>
    expect(problems.map((p) => p.path).sort()).toEqual(['account.sqlite', 'sequencer.sqlite'])
    for (const p of problems) expect(p.problem).toContain('altered or truncated')
    const human = await pds(['backup', 'verify', backups[0]!, '--from', URL_], { env: s3Env() })
    expect(human.stdout).toContain(`FAILED ${URL_} ${backups[0]}`)
    expect(human.stdout).toContain('account.sqlite: s3://pds-offsite/server-one/backups/')

    // Restoring the damaged backup changes nothing.
    const target = join(work, 'damaged')
    const restore = await pds(['backup', 'restore', backups[0]!, '--from', URL_, '--data-dir', target, '--json'], { env: s3Env() })
    expect(restore.code).toBe(3)
    expect(restore.stderr).toContain('cannot be restored')
    expect(restore.stderr).toContain('nothing was changed')
    expect(existsSync(join(target, 'account.sqlite'))).toBe(false)
    expect(existsSync(join(target, 'actors'))).toBe(false)
  }, 120_000)

  test('wrong passphrase: a clear refusal, nothing overwritten', async () => {
    const target = join(work, 'occupied')
    mkdirSync(target, { recursive: true })
    writeFileSync(join(target, 'account.sqlite'), 'precious')
    for (const args of [['verify'], ['restore', '--force', '--yes']]) {
      const run = await pds(['backup', ...args, '--from', URL_, '--data-dir', target, '--json'], { env: s3Env({ PDS_BACKUP_AGE_PASSPHRASE: 'not the passphrase at all' }) })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain('the passphrase does not open s3://pds-offsite/server-one/pds-backup-key.age')
    }
    expect(readFileSync(join(target, 'account.sqlite'), 'utf8')).toBe('precious')
    expect(readdirSync(target).sort()).toEqual(['.pds-lock', 'account.sqlite'].filter((n) => existsSync(join(target, n))).sort())
  }, 60_000)

  test('unreachable bucket and missing bucket: one clear line each', async () => {
    const closed = await freePort()
    const down = await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--to', URL_], { env: s3Env({ PDS_BACKUP_S3_ENDPOINT: `http://127.0.0.1:${closed}` }) })
    expect(down.code).toBe(69)
    expect(down.stderr).toContain(`connection refused by http://127.0.0.1:${closed}`)
    // One line besides the configuration line: no stack trace.
    expect(down.stderr.trim().split('\n').filter((line) => !line.startsWith('pds: configuration'))).toHaveLength(1)
    const missing = await pds(['backup', 'list', '--from', 's3://no-such-bucket/x'], { env: s3Env() })
    expect(missing.code).toBe(69)
    expect(missing.stderr).toContain('bucket no-such-bucket does not exist')
  }, 60_000)

  test("another server's backups: refused for create and for restore", async () => {
    const other = join(work, 'other-server')
    mkdirSync(other, { recursive: true })
    writeFileSync(join(other, 'pds.env'), formatEnvFile(testEnv(other, 1, { ...serverEnv(), PDS_HOSTNAME: 'other.localhost' })), { mode: 0o600 })
    const create = await pds(['backup', 'create', '--data-dir', other, '--to', URL_], { env: s3Env() })
    expect(create.code).toBe(3)
    expect(create.stderr).toContain('holds the backups of another server (did:web:localhost, localhost); this server is did:web:other.localhost')
    const restore = await pds(['backup', 'restore', '--from', URL_, '--data-dir', other, '--json'], { env: s3Env() })
    expect(restore.code).toBe(3)
    expect(restore.stderr).toContain('refusing to restore another server')
    expect(existsSync(join(other, 'account.sqlite'))).toBe(false)
  }, 60_000)

  test('restore onto a fresh host from the bucket and passphrase alone; pds serve has every account, record and blob', async () => {
    const fresh = join(work, 'fresh-host')
    const restore = await pds(['backup', 'restore', '--from', URL_, '--data-dir', fresh, '--json'], { env: s3Env() })
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)
    expect(restore.json()).toMatchObject({ ok: true, name: backups[1], accounts: 2, envFile: 'restored' })
    expect(existsSync(join(fresh, '.offsite-staging'))).toBe(false)

    // The restored pds.env still names the old port; serve on a new one.
    const env = readFileSync(join(fresh, 'pds.env'), 'utf8')
    expect(env).toContain(`PDS_DATA_DIRECTORY=${fresh}`)
    served = await spawnServe(fresh, await freePort())
    const agent = new AtpAgent({ service: served.url })
    for (const user of users) {
      const login = await agent.login({ identifier: user.handle, password: user.password })
      expect(login.data.did).toBe(user.did)
      const listed = await agent.com.atproto.repo.listRecords({ repo: user.did, collection: 'app.bsky.feed.post' })
      const expected = posts.filter((uri) => uri.startsWith(`at://${user.did}/`)).sort()
      expect(listed.data.records.map((r) => r.uri).sort()).toEqual(expected)
    }
    for (const blob of blobs) {
      const got = await agent.com.atproto.sync.getBlob({ did: blob.did, cid: blob.cid })
      expect(Buffer.from(got.data).equals(Buffer.from(blob.bytes))).toBe(true)
    }
  }, 120_000)

  test('pds init --backup-s3-url writes the off-site settings and a generated passphrase', async () => {
    const dir = join(work, 'init')
    const run = await pds(['init', '--yes', '--json', '--hostname', 'pds.example.com', '--data-dir', dir, '--backup-s3-url', 's3://backups-1/pds', '--backup-s3-access-key-id', 'AKIA1', '--backup-s3-secret-access-key', 'sekret'])
    expect(run.code).toBe(0)
    const env = readFileSync(join(dir, 'pds.env'), 'utf8')
    expect(env).toContain('PDS_BACKUP_S3_URL=s3://backups-1/pds')
    expect(env).toContain('PDS_BACKUP_S3_ACCESS_KEY_ID=AKIA1')
    expect(env).toMatch(/PDS_BACKUP_AGE_PASSPHRASE=[A-Za-z0-9_-]{32}\n/)
    const withKey = await pds(['init', '--yes', '--force', '--json', '--hostname', 'pds.example.com', '--data-dir', dir, '--backup-s3-url', 's3://backups-1/pds', '--backup-age-recipient', 'age1qqq'])
    expect(withKey.code).toBe(0)
    expect(readFileSync(join(dir, 'pds.env'), 'utf8')).not.toContain('PDS_BACKUP_AGE_PASSPHRASE')
  })
})
