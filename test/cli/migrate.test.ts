// `pds migrate` between two of our servers sharing one PLC directory: a staged, interrupted run
// finished by re-running, then checked from the PLC document, the repos, blobs and account states.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { loadSharp } from '../../src/native/sharp.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startSmtpSink, type TestSmtp } from '../helpers/smtp.ts'
import { CLI, emptyDirectory, pds } from './cli-harness.ts'

let plc: TestPlc
let smtp: TestSmtp
let oldPds: TestServer
let newPds: TestServer

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_'))) as Record<string, string>

const NEW_SERVICE_DID = 'did:web:new.localhost'

beforeAll(async () => {
  plc = await startPlcDirectory()
  smtp = await startSmtpSink()
  oldPds = await startTestServer({ PDS_DID_PLC_URL: plc.url, PDS_EMAIL_SMTP_URL: smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost' })
  newPds = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_SERVICE_DID: NEW_SERVICE_DID,
    PDS_SERVICE_HANDLE_DOMAINS: '.new.test',
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: '0c1b2a39485766758493a2b1c0d0e0f1021324354657687980a1b2c3d4e5f607',
  })
})
afterAll(async () => {
  await newPds?.close()
  await oldPds?.close()
  await smtp?.close()
  await plc?.close()
})

type PlcData = { rotationKeys: string[]; alsoKnownAs: string[]; verificationMethods: Record<string, string>; services: Record<string, { endpoint: string }> }
const plcData = async (did: string) => (await (await fetch(`${plc.url}/${did}/data`)).json()) as PlcData

const recordsOf = async (server: TestServer, did: string) => {
  const car = await new AtpAgent({ service: server.url }).com.atproto.sync.getRepo({ did })
  const repo = await verifyRepoCar(new Uint8Array(car.data), did)
  return repo.creates.map((c) => `${c.collection}/${c.rkey}:${c.cid}`).sort()
}

const repoStatus = async (server: TestServer, did: string) =>
  (await new AtpAgent({ service: server.url }).com.atproto.sync.getRepoStatus({ did })).data

describe('pds migrate', () => {
  test('chooses the handle: custom domains are kept, server handles move under our domain', async () => {
    const { chooseHandle } = await import('../../cli/lib/migration.ts')
    expect(chooseHandle('alice.bsky.social', ['.bsky.social'], ['.example.com'])).toBe('alice.example.com')
    expect(chooseHandle('Alice.Example.org', ['.bsky.social'], ['.example.com'])).toBe('alice.example.org')
    expect(chooseHandle('alice.bsky.social', ['.bsky.social'], ['.example.com'], 'me.example.net')).toBe('me.example.net')
  })

  test('refuses without --yes when not interactive, and rejects an unknown --stop-after', async () => {
    const noYes = await pds(['migrate', '--from', oldPds.url, '--handle', 'x.test', '--password', 'p', '--url', newPds.url])
    expect(noYes.code).toBe(2)
    expect(noYes.stderr).toContain('--yes')
    const badStep = await pds(['migrate', '--from', oldPds.url, '--handle', 'x.test', '--password', 'p', '--url', newPds.url, '--yes', '--stop-after', 'nope'])
    expect(badStep.code).toBe(2)
  })

  test('moves an account: stop after the import, resume, wait for the PLC token, finish; re-running is a no-op', async () => {
    // The account on the old server: posts, an image blob, preferences.
    const email = 'alice@example.com'
    const password = 'alice-password'
    const oldAgent = new AtpAgent({ service: oldPds.url })
    const created = await oldAgent.createAccount({ email, handle: 'alice.test', password })
    const did = created.data.did
    const sharp = await loadSharp()
    const png = new Uint8Array(await sharp({ create: { width: 12, height: 8, channels: 3, background: '#2255aa' } }).png().toBuffer())
    const blob = await oldAgent.uploadBlob(png, { encoding: 'image/png' })
    await oldAgent.post({ text: 'with a picture', embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: 'blue' }] }, createdAt: new Date().toISOString() })
    for (let i = 0; i < 5; i++) await oldAgent.post({ text: `post ${i}`, createdAt: new Date().toISOString() })
    const prefs = [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true }]
    await oldAgent.app.bsky.actor.putPreferences({ preferences: prefs })
    const oldRecords = await recordsOf(oldPds, did)
    expect(oldRecords.length).toBe(6)

    const base = ['migrate', '--from', oldPds.url, '--handle', 'alice.test', '--password', password, '--url', newPds.url, '--yes', '--json']

    // Run 1: stops after the repo import (an interrupted migration).
    const first = await pds([...base, '--stop-after', 'repo'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.json()).toMatchObject({ ok: true, did, handle: 'alice.new.test', done: false, stoppedAfter: 'repo' })
    expect(first.json().steps.account).toContain('created')
    expect(first.json().steps.repo).toContain('imported')
    const here = new AtpAgent({ service: newPds.url })
    await here.login({ identifier: did, password })
    expect((await here.com.atproto.repo.listMissingBlobs({})).data.blobs.map((b) => b.cid)).toEqual([blob.data.blob.ref.toString()])
    expect((await repoStatus(newPds, did)).active).toBe(false)

    // Run 2: resumes (no second import), copies the blob and preferences, then waits for the emailed token.
    const second = await pds(base)
    expect(second.stderr).toBe("")
    expect(second.code).toBe(3)
    const waiting = second.json()
    expect(waiting).toMatchObject({ did, waitingFor: 'plc-token', done: false, blobs: { uploaded: 1, failed: [] } })
    expect(waiting.steps.account).toContain('already exists')
    expect(waiting.steps.repo).toContain('already imported')
    expect((await plcData(did)).services.atproto_pds!.endpoint).toBe(oldPds.config.service.publicUrl)

    // Run 3: with the token from the mail, the identity moves and the accounts switch over.
    const token = await smtp.tokenFor(email)
    const third = await pds([...base, '--plc-token', token])
    expect(third.stderr).toBe('')
    expect(third.code).toBe(0)
    expect(third.json()).toMatchObject({ ok: true, done: true, blobs: { uploaded: 0 } })
    expect(third.json().steps).toMatchObject({ plc: expect.stringContaining('updated'), activate: 'activated', 'deactivate-old': 'deactivated' })

    const doc = await plcData(did)
    expect(doc.services.atproto_pds!.endpoint).toBe(newPds.config.service.publicUrl)
    expect(doc.verificationMethods.atproto).toBe(newPds.services.repo.signingKey(did).did())
    expect(doc.verificationMethods.atproto).not.toBe(oldPds.services.repo.signingKey(did).did())
    expect(doc.alsoKnownAs).toEqual(['at://alice.new.test'])

    expect(await recordsOf(newPds, did)).toEqual(oldRecords)
    const served = await new AtpAgent({ service: newPds.url }).com.atproto.sync.getBlob({ did, cid: blob.data.blob.ref.toString() })
    expect(new Uint8Array(served.data)).toEqual(png)
    await here.login({ identifier: did, password })
    expect((await here.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs)
    expect((await repoStatus(newPds, did)).active).toBe(true)
    expect(await repoStatus(oldPds, did)).toMatchObject({ active: false, status: 'deactivated' })

    // Run 4: everything is done; nothing is redone or duplicated.
    const fourth = await pds(base)
    expect(fourth.code).toBe(0)
    expect(fourth.json()).toMatchObject({ done: true, blobs: { uploaded: 0 } })
    expect(fourth.json().steps).toMatchObject({ account: 'already exists here', preferences: expect.stringContaining('complete'), plc: expect.stringContaining('already'), activate: 'already active here', 'deactivate-old': 'already deactivated' })
    expect(await recordsOf(newPds, did)).toEqual(oldRecords)
    expect(smtp.mails.filter((m) => m.to.includes(email) && /[A-Z2-7]{5}-[A-Z2-7]{5}/.test(m.raw)).length).toBe(1)
  }, 60_000)

  test('a run killed mid-copy is finished by running again: every blob once, same records', async () => {
    const email = 'bob@example.com'
    const password = 'bob-password'
    const oldAgent = new AtpAgent({ service: oldPds.url })
    const did = (await oldAgent.createAccount({ email, handle: 'bob.test', password })).data.did
    const sharp = await loadSharp()
    const cids: string[] = []
    for (let i = 0; i < 12; i++) {
      const png = new Uint8Array(await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: '#118833' } }).png().toBuffer())
      const blob = await oldAgent.uploadBlob(png, { encoding: 'image/png' })
      cids.push(blob.data.blob.ref.toString())
      await oldAgent.post({ text: `image ${i}`, embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: '' }] }, createdAt: new Date().toISOString() })
    }
    const oldRecords = await recordsOf(oldPds, did)
    // The old server behind a proxy that serves blobs slowly, so the kill lands mid-copy.
    const slowOld = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(req) {
        const url = new URL(req.url)
        if (url.pathname === '/xrpc/com.atproto.sync.getBlob') await Bun.sleep(100)
        const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer()
        return fetch(new URL(url.pathname + url.search, oldPds.url), { method: req.method, headers: req.headers, body })
      },
    })
    afterAll(() => slowOld.stop(true))
    const args = ['migrate', '--from', `http://127.0.0.1:${slowOld.port}`, '--handle', 'bob.test', '--password', password, '--url', newPds.url, '--yes']

    // Killed in the middle of the blob copy.
    const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: emptyDirectory(), stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', env: cleanEnv() })
    const reader = proc.stderr.getReader()
    let seen = ''
    while (!seen.includes('Repo: imported')) {
      const { value, done } = await reader.read()
      if (done) break
      seen += new TextDecoder().decode(value)
    }
    expect(seen).toContain('Repo: imported')
    // Kill it once the first blobs have landed here.
    const here = new AtpAgent({ service: newPds.url })
    await here.login({ identifier: did, password })
    let exited = false
    void proc.exited.then(() => (exited = true))
    while (!exited && (await here.com.atproto.repo.listMissingBlobs({})).data.blobs.length === cids.length) await Bun.sleep(2)
    proc.kill(9)
    await proc.exited

    const resumed = await pds([...args, '--json'])
    expect(resumed.code).toBe(3)
    const rest = resumed.json().blobs.uploaded
    expect(rest).toBeGreaterThan(0)
    expect(rest).toBeLessThan(cids.length)
    expect(resumed.json().steps.repo).toContain('already imported')
    const finished = await pds([...args, '--json', '--plc-token', await smtp.tokenFor(email)])
    expect(finished.stderr).toBe('')
    expect(finished.json()).toMatchObject({ done: true, handle: 'bob.new.test' })

    expect(await recordsOf(newPds, did)).toEqual(oldRecords)
    const listed = await new AtpAgent({ service: newPds.url }).com.atproto.sync.listBlobs({ did })
    expect(listed.data.cids.sort()).toEqual([...cids].sort())
    expect(await repoStatus(newPds, did)).toMatchObject({ active: true })
  }, 60_000)

  test('a wrong password stops before anything is created here', async () => {
    const run = await pds(['migrate', '--from', oldPds.url, '--handle', 'alice.test', '--password', 'wrong', '--url', newPds.url, '--yes'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('cannot log in to')
  })
})
