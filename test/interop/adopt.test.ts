// Issue 21: adopting a reference PDS data directory in place. The reference (@atproto/pds under Node 22)
// creates accounts, posts, blobs, an app password, preferences, invites and a takedown in a directory laid
// out as its distribution's /pds (pds.env, account.sqlite, sequencer.sqlite, actors/, blocks/); then our
// compiled binary serves the same directory with no conversion step, and after our writes the reference
// starts on it again and serves them.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { Database } from 'bun:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startReferencePds, REFERENCE_ADMIN_PASSWORD, type ReferencePds } from '../helpers/reference-pds.ts'
import { freePort } from '../helpers/server.ts'
import { replayAll, subscribeRepos } from '../helpers/firehose.ts'
import { ensureBinary } from '../helpers/binary.ts'
import { pds } from '../cli/cli-harness.ts'
import { PNG_1x1, xrpc } from './peers.ts'

let plc: TestPlc
let dataDir: string
let port: number
let env: Record<string, string>
const adminAuth = 'Basic ' + Buffer.from(`admin:${REFERENCE_ADMIN_PASSWORD}`).toString('base64')

/** The distribution's pds.env, pointed at loopback. */
function writePdsEnv(): void {
  env = {
    PDS_HOSTNAME: 'localhost',
    PDS_PORT: String(port),
    PDS_SERVICE_DID: `did:web:localhost%3A${port}`,
    PDS_DEV_MODE: 'true',
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: join(dataDir, 'blocks'),
    PDS_BLOB_UPLOAD_LIMIT: '104857600',
    PDS_JWT_SECRET: 'adopt-jwt-secret',
    PDS_ADMIN_PASSWORD: REFERENCE_ADMIN_PASSWORD,
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: '3a1f0c9e8d7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877',
    PDS_DID_PLC_URL: plc.url.replace('//127.0.0.1:', '//localhost:'),
    PDS_INVITE_REQUIRED: 'false',
    PDS_CRAWLERS: '',
    // preferences need an app view configured (nothing listens there; no test reaches it)
    PDS_BSKY_APP_VIEW_URL: 'http://localhost:9',
    PDS_BSKY_APP_VIEW_DID: 'did:web:appview.localhost',
  }
  writeFileSync(join(dataDir, 'pds.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
}

async function startOurs(): Promise<{ url: string; stop(): Promise<void>; stderr(): string }> {
  const binary = await ensureBinary()
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_')))
  const proc = Bun.spawn([binary, 'serve', '--data-dir', dataDir], { env: { ...cleanEnv, LOG_LEVEL: 'error' }, stdout: 'pipe', stderr: 'pipe' })
  let stderr = ''
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk)
  })()
  const url = `http://localhost:${port}`
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`pds serve exited ${proc.exitCode}: ${stderr}`)
    if (i > 1200) throw new Error(`pds serve never became healthy: ${stderr}`)
    try {
      if ((await fetch(`${url}/xrpc/_health`)).ok) break
    } catch {}
    await Bun.sleep(25)
  }
  return {
    url,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(0)
    },
  }
}

type Person = { did: string; handle: string; password: string; refreshJwt: string; appPassword: string }
const people: Record<string, Person> = {}
let postUri: string
let blobCid: string
let lastSeq: number
let inviteCode: string
const PREFS = [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true }]

beforeAll(async () => {
  plc = await startPlcDirectory()
  dataDir = mkdtempSync(join(tmpdir(), 'pds-adopt-'))
  port = await freePort()
  writePdsEnv()
  await ensureBinary()
}, 600_000)
afterAll(async () => {
  await plc?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

/**
 * Every file's checksum but SQLite's -shm (the shared-memory index beside a WAL, which any reader, even a
 * read-only one, updates; it holds no data and is rebuilt from the WAL on open).
 */
function fingerprint(dir = dataDir): string {
  return Bun.spawnSync(['sh', '-c', `cd '${dir}' && find . -type f ! -name '*-shm' -exec md5sum {} + | sort`]).stdout.toString()
}

async function onReference<T>(run: (ref: ReferencePds) => Promise<T>): Promise<T> {
  const ref = await startReferencePds({ plcUrl: plc.url, dataDir, port, env })
  try {
    return await run(ref)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nreference stderr:\n${ref.stderr().slice(-3000)}`)
  } finally {
    await ref.stop()
  }
}

describe('adopting a reference PDS data directory', () => {
  test('the reference creates accounts, records, blobs, sessions, invites and a takedown', async () => {
    await onReference(async (ref) => {
      for (const name of ['alice', 'bob']) {
        const agent = new AtpAgent({ service: ref.url })
        const handle = `${name}.test`
        const password = `${name}-password`
        await agent.createAccount({ handle, email: `${name}@example.com`, password })
        const app = await agent.com.atproto.server.createAppPassword({ name: 'phone' })
        people[name] = { did: agent.session!.did, handle, password, refreshJwt: agent.session!.refreshJwt, appPassword: app.data.password }
        if (name === 'alice') {
          const blob = (await agent.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
          blobCid = blob.ref.toString()
          postUri = (await agent.post({ text: 'written on the reference', embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] } })).uri
          await agent.app.bsky.actor.putPreferences({ preferences: PREFS })
          // a fresh session whose refresh token the client keeps (the login above is rotated by refreshSession below)
          const fresh = new AtpAgent({ service: ref.url })
          await fresh.login({ identifier: handle, password })
          people[name]!.refreshJwt = fresh.session!.refreshJwt
        }
      }
      const invite = await xrpc(ref.url, 'com.atproto.server.createInviteCode', { method: 'POST', auth: adminAuth, body: { useCount: 3, forAccount: people.alice!.did } })
      expect(invite.status).toBe(200)
      inviteCode = invite.json.code
      const takedown = await xrpc(ref.url, 'com.atproto.admin.updateSubjectStatus', {
        method: 'POST',
        auth: adminAuth,
        body: { subject: { $type: 'com.atproto.admin.defs#repoRef', did: people.bob!.did }, takedown: { applied: true, ref: 'adopt-test' } },
      })
      expect(takedown.status).toBe(200)
      const frames = await replayAll(port)
      lastSeq = Math.max(...frames.map((f) => (f.body as { seq: number }).seq))
      expect(lastSeq).toBeGreaterThan(4)
      // a check while the reference still runs says to stop it first
      const live = await pds(['adopt', '--check', dataDir, '--json'])
      expect(live.json().notes.join('\n')).toContain(`a server answers on port ${port}: stop the reference PDS`)
    })
  }, 600_000)

  test('pds adopt --check reports the directory and changes nothing', async () => {
    const before = fingerprint()
    const run = await pds(['adopt', '--check', dataDir, '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = run.json()
    expect(report.kind).toBe('reference')
    expect(report.ok).toBe(true)
    expect(report.accounts).toBe(2)
    expect(report.lastSeq).toBe(lastSeq)
    expect(fingerprint()).toBe(before)
    const human = await pds(['adopt', '--check', dataDir])
    expect(human.stdout).toContain("a reference PDS's data directory, not served by pds yet")
    expect(human.stdout).toContain('OAuth')
    expect(human.stdout).toContain(`Ready: stop the reference PDS, then run \`pds serve --data-dir ${dataDir}\``)
  })

  test('pds doctor recognises it', async () => {
    const doctor = await pds(['doctor', '--data-dir', dataDir, '--json'])
    const check = doctor.json().checks.find((c: { name: string }) => c.name === 'data directory')
    expect(check.detail).toContain(`${dataDir}: a reference PDS's data directory: pds serve takes it over in place, 2 account(s)`)
    expect(check.status).toBe('warn') // the reference's OAuth sessions do not carry over
  })

  describe('a directory that cannot be served is refused with nothing written', () => {
    const copies: string[] = []
    afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
    /** A copy of the reference's directory, its pds.env pointing at the copy. */
    function copyOf(): string {
      const copy = mkdtempSync(join(tmpdir(), 'pds-adopt-bad-'))
      copies.push(copy)
      cpSync(dataDir, copy, { recursive: true })
      const envFile = join(copy, 'pds.env')
      writeFileSync(envFile, readFileSync(envFile, 'utf8').replaceAll(dataDir, copy))
      return copy
    }
    async function refused(dir: string, expected: RegExp): Promise<void> {
      const before = fingerprint(dir)
      const check = await pds(['adopt', '--check', dir, '--json'])
      expect(check.code).toBe(1)
      expect(check.json().ok).toBe(false)
      expect(check.json().problems.join('\n')).toMatch(expected)
      const serve = await pds(['serve', '--data-dir', dir])
      expect(serve.code).toBe(3)
      expect(serve.stderr).toMatch(expected)
      expect(serve.stderr).toContain('nothing was changed')
      expect(fingerprint(dir)).toBe(before)
      expect(existsSync(join(dir, '.pds-lock'))).toBe(false)
    }

    test('half-copied: an account without its actor store', async () => {
      const dir = copyOf()
      rmSync(join(dir, 'actors', createHash('sha256').update(people.bob!.did).digest('hex').slice(0, 2), people.bob!.did, 'store.sqlite'))
      await refused(dir, /no actor store .*did:plc:.*half-copied/)
    })

    test('half-copied: blobs missing', async () => {
      const dir = copyOf()
      rmSync(join(dir, 'blocks'), { recursive: true })
      await refused(dir, /1 blob file\(s\) missing/)
    })

    test('a newer reference schema than we know', async () => {
      const dir = copyOf()
      const db = new Database(join(dir, 'account.sqlite'))
      db.run("INSERT INTO kysely_migration (name, timestamp) VALUES ('999', '2030-01-01T00:00:00.000Z')")
      db.close()
      await refused(dir, /newer reference PDS .*unknown migrations 999/)
    })

    test('not a PDS database: account.sqlite is something else', async () => {
      const dir = copyOf()
      writeFileSync(join(dir, 'account.sqlite'), 'not a database\n')
      await refused(dir, /account\.sqlite is not an SQLite database/)
    })

    test('adopt --check on a directory that is not a PDS data directory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pds-adopt-none-'))
      copies.push(dir)
      writeFileSync(join(dir, 'notes.txt'), 'hello')
      const check = await pds(['adopt', '--check', dir])
      expect(check.code).toBe(1)
      expect(check.stdout).toContain('not a PDS data directory')
      expect(readdirSync(dir)).toEqual(['notes.txt'])
    })
  })

  let ourPostUri: string
  let ourRefreshJwt: string
  const carol = { handle: 'carol.test', password: 'carol-password', did: '', postUri: '' }
  test('our binary serves it: passwords, app passwords, refresh sessions, records, blobs, prefs, invites, takedowns, firehose', async () => {
    const ours = await startOurs()
    try {
      const alice = people.alice!
      // the reference's live refresh session keeps working (same JWT secret)
      const refreshed = await xrpc(ours.url, 'com.atproto.server.refreshSession', { method: 'POST', auth: `Bearer ${alice.refreshJwt}` })
      expect(refreshed.status).toBe(200)
      expect(refreshed.json.did).toBe(alice.did)
      // the app password signs in
      const viaApp = new AtpAgent({ service: ours.url })
      await viaApp.login({ identifier: alice.handle, password: alice.appPassword })
      expect(viaApp.session?.did).toBe(alice.did)
      // the account password signs in
      const agent = new AtpAgent({ service: ours.url })
      await agent.login({ identifier: alice.handle, password: alice.password })
      expect(agent.session?.email).toBe('alice@example.com')
      ourRefreshJwt = agent.session!.refreshJwt
      // records, blobs and preferences
      const rkey = postUri.split('/').pop()!
      const record = await agent.com.atproto.repo.getRecord({ repo: alice.did, collection: 'app.bsky.feed.post', rkey })
      expect((record.data.value as { text: string }).text).toBe('written on the reference')
      const blob = await xrpc(ours.url, 'com.atproto.sync.getBlob', { params: { did: alice.did, cid: blobCid } })
      expect(blob.status).toBe(200)
      expect(Buffer.from(blob.bytes).equals(Buffer.from(PNG_1x1))).toBe(true)
      expect((await agent.app.bsky.actor.getPreferences()).data.preferences).toEqual(PREFS)
      // the repo verifies against the signing key in the DID document
      const car = await xrpc(ours.url, 'com.atproto.sync.getRepo', { params: { did: alice.did } })
      const repo = await verifyRepoCar(car.bytes, alice.did)
      expect(repo.creates.some((c) => c.collection === 'app.bsky.feed.post' && c.rkey === rkey)).toBe(true)
      // invites and takedowns
      const invites = await agent.com.atproto.server.getAccountInviteCodes({ includeUsed: true, createAvailable: false })
      expect(invites.data.codes.map((c) => c.code)).toContain(inviteCode)
      const bob = new AtpAgent({ service: ours.url })
      const refused = await bob.login({ identifier: people.bob!.handle, password: people.bob!.password }).catch((err) => err)
      expect(refused.error).toBe('AccountTakedown')
      // a relay resuming at the reference's last seq sees nothing old, then our write as the next seq
      const sub = await subscribeRepos(port, { cursor: lastSeq })
      ourPostUri = (await agent.post({ text: 'written by us' })).uri
      for (let i = 0; i < 200 && sub.frames.length === 0; i++) await Bun.sleep(25)
      await Bun.sleep(150)
      sub.ws.close()
      expect(sub.frames.map((f) => (f.body as { seq: number }).seq)).toEqual([lastSeq + 1])
      expect((sub.frames[0]!.header as { t: string }).t).toBe('#commit')
      // an account created by us, in the same directory
      const newcomer = new AtpAgent({ service: ours.url })
      await newcomer.createAccount({ handle: carol.handle, email: 'carol@example.com', password: carol.password, inviteCode })
      carol.did = newcomer.session!.did
      carol.postUri = (await newcomer.post({ text: 'carol, created by us' })).uri
    } catch (err) {
      throw new Error(`${(err as Error).message}\nour stderr:\n${ours.stderr().slice(-3000)}`)
    } finally {
      await ours.stop()
    }
  }, 120_000)

  test('adopt --check and doctor see a directory we have served', async () => {
    const check = await pds(['adopt', '--check', dataDir, '--json'])
    expect(check.json()).toMatchObject({ kind: 'adopted', ok: true, accounts: 3 })
  })

  test('the reference starts on the directory again and serves our writes', async () => {
    await onReference(async (ref) => {
      const alice = people.alice!
      const agent = new AtpAgent({ service: ref.url })
      await agent.login({ identifier: alice.handle, password: alice.password })
      const rkey = ourPostUri.split('/').pop()!
      const record = await agent.com.atproto.repo.getRecord({ repo: alice.did, collection: 'app.bsky.feed.post', rkey })
      expect((record.data.value as { text: string }).text).toBe('written by us')
      const car = await xrpc(ref.url, 'com.atproto.sync.getRepo', { params: { did: alice.did } })
      const repo = await verifyRepoCar(car.bytes, alice.did)
      expect(repo.creates.length).toBeGreaterThanOrEqual(2)
      // the session we issued refreshes on the reference
      const refreshed = await xrpc(ref.url, 'com.atproto.server.refreshSession', { method: 'POST', auth: `Bearer ${ourRefreshJwt}` })
      expect(refreshed.status).toBe(200)
      // the account we created signs in, and its repo and post are served
      const newcomer = new AtpAgent({ service: ref.url })
      await newcomer.login({ identifier: carol.handle, password: carol.password })
      expect(newcomer.session?.did).toBe(carol.did)
      const carolPost = await newcomer.com.atproto.repo.getRecord({ repo: carol.did, collection: 'app.bsky.feed.post', rkey: carol.postUri.split('/').pop()! })
      expect((carolPost.data.value as { text: string }).text).toBe('carol, created by us')
      await verifyRepoCar((await xrpc(ref.url, 'com.atproto.sync.getRepo', { params: { did: carol.did } })).bytes, carol.did)
      await newcomer.post({ text: 'carol on the reference' })
      // and writes after ours continue the same firehose, without a repeated seq
      const before = (await replayAll(port)).map((f) => (f.body as { seq: number }).seq)
      await agent.post({ text: 'the reference again' })
      const seqs = (await replayAll(port)).map((f) => (f.body as { seq: number }).seq)
      expect(seqs.at(-1)).toBe(before.at(-1)! + 1)
      expect(before.at(-1)!).toBeGreaterThan(lastSeq + 1)
      expect(new Set(seqs).size).toBe(seqs.length)
    })
  }, 600_000)
})
