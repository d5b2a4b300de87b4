// The promise of `pds backup`: taken during a stream of writes, it restores to a server whose repos
// verify and hold every write acknowledged before the backup started.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { buildConfig } from '../../src/config/config.ts'
import { formatEnvFile } from '../../src/config/env.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { loadSharp } from '../../src/native/sharp.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { startAccountHarness, type AccountHarness } from '../e2e/account-harness.ts'
import { labelKeyFromPlc, startModHarness, verifiesWith, type ModHarness } from '../e2e/moderation-harness.ts'
import { pds } from './cli-harness.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-backup-e2e-'))
let h: AccountHarness
let restored: RunningServer | undefined
const env = () => ({ PDS_DID_PLC_URL: h.plc.url, PDS_EMAIL_SMTP_URL: h.smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost' })

beforeAll(async () => {
  h = await startAccountHarness()
  writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, env())), { mode: 0o600 })
})
afterAll(async () => {
  await restored?.stop()
  await h?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('backup during writes, restore, verify', () => {
  test('every write acknowledged before the backup is in the restored repos', async () => {
    const users = [await h.signUp('alice'), await h.signUp('bob')]
    const sharp = await loadSharp()
    const image = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer())
    const uploaded = await users[0]!.agent.uploadBlob(image, { encoding: 'image/png' })
    await users[0]!.agent.post({
      text: 'with a blob',
      embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://example.com', title: 't', description: 'd', thumb: uploaded.data.blob } },
      createdAt: new Date().toISOString(),
    })

    const acknowledged: Array<{ uri: string; at: number }> = []
    let writing = true
    const writers = users.map(async (user, u) => {
      for (let i = 0; writing; i++) {
        const res = await user.agent.post({ text: `post ${u}-${i}`, createdAt: new Date().toISOString() })
        acknowledged.push({ uri: res.uri, at: performance.now() })
      }
    })
    while (acknowledged.length < 10) await Bun.sleep(5)
    const backupStarted = performance.now()
    const backup = await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--to', join(work, 'backups'), '--json'])
    while (acknowledged.at(-1)!.at < backupStarted) await Bun.sleep(5)
    writing = false
    await Promise.all(writers)
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    const { path } = backup.json()
    const before = acknowledged.filter((a) => a.at < backupStarted)
    expect(before.length).toBeGreaterThanOrEqual(10)
    expect(acknowledged.some((a) => a.at > backupStarted)).toBe(true) // the writes really overlapped

    const verify = await pds(['backup', 'verify', path, '--json'])
    expect(verify.json().problems).toEqual([])
    expect(verify.code).toBe(0)
    expect(verify.json().checked).toMatchObject({ repos: 2, blobs: 1 })

    const target = join(work, 'restored')
    const restore = await pds(['backup', 'restore', path, '--data-dir', target, '--json'], { env: { PDS_PORT: '1' } })
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)

    const port = await freePort()
    restored = await startServer(buildConfig(testEnv(target, port, env())), { hostname: '127.0.0.1' })
    const agent = new AtpAgent({ service: restored.url })
    for (const user of users) {
      const car = await agent.com.atproto.sync.getRepo({ did: user.did })
      const repo = await verifyRepoCar(new Uint8Array(car.data), user.did)
      const paths = new Set(repo.creates.map((c) => `at://${user.did}/${c.collection}/${c.rkey}`))
      for (const ack of before.filter((a) => a.uri.startsWith(`at://${user.did}/`))) expect(paths.has(ack.uri)).toBe(true)
    }
    const blob = await agent.com.atproto.sync.getBlob({ did: users[0]!.did, cid: uploaded.data.blob.ref.toString() })
    expect(new Uint8Array(blob.data)).toEqual(image)
    const login = await agent.login({ identifier: 'alice.test', password: users[0]!.password })
    expect(login.data.did).toBe(users[0]!.did)
  }, 60_000)
})

describe('the moderation team survives backup and restore', () => {
  let m: ModHarness | undefined
  let replacement: RunningServer | undefined
  afterAll(async () => {
    await replacement?.stop()
    await m?.smtp.close()
    await m?.plc.close()
    if (m) rmSync(m.server.dataDir, { recursive: true, force: true })
  })

  test('labels, reports and events are in the restored server, whose labeler still signs with the same key', async () => {
    m = await startModHarness()
    const h = m
    const modEnv = {
      PDS_DID_PLC_URL: h.plc.url,
      PDS_EMAIL_SMTP_URL: h.smtp.url,
      PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost',
      PDS_MODERATION_EMAIL_SMTP_URL: h.smtp.url,
      PDS_MODERATION_EMAIL_ADDRESS: 'moderation@localhost',
      PDS_MOD_TEAM_HANDLE: 'mod.test',
    }
    writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, modEnv)), { mode: 0o600 })
    const carol = await h.signUp('carol')
    const post = await carol.agent.post({ text: 'buy now', createdAt: new Date().toISOString() })
    const report = await carol.agent.com.atproto.moderation.createReport({
      reasonType: 'com.atproto.moderation.defs#reasonSpam',
      reason: 'spam links',
      subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
    })
    await h.team.tools.ozone.moderation.emitEvent({
      event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['spam'], negateLabelVals: [] },
      subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
      createdBy: h.teamDid,
    })
    const labelsBefore = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [post.uri] })).data.labels
    expect(labelsBefore.map((l) => l.val)).toEqual(['spam'])

    const backup = await pds(['backup', 'create', '--data-dir', h.server.dataDir, '--to', join(work, 'mod-backups'), '--json'])
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    const { path } = backup.json()
    const files = JSON.parse(await Bun.file(join(path, 'manifest.json')).text()).files as Array<{ path: string; kind: string }>
    expect(files).toContainEqual(expect.objectContaining({ path: 'moderation.sqlite', kind: 'database' }))
    expect(files).toContainEqual(expect.objectContaining({ path: `moderation/${encodeURIComponent(h.teamDid)}.label-key`, kind: 'key' }))
    const verify = await pds(['backup', 'verify', path, '--json'])
    expect(verify.json().problems).toEqual([])

    // The old server is gone; the restored one takes its place (same port, so the DID documents point at it).
    await h.server.stop()
    const target = join(work, 'mod-restored')
    const restore = await pds(['backup', 'restore', path, '--data-dir', target, '--json'], { env: { PDS_PORT: '1' } })
    expect(restore.stderr).toBe('')
    expect(restore.code).toBe(0)
    // The operator's checks take the restored directory, moderation files included, as it is.
    const adopt = await pds(['adopt', '--check', target, '--json'])
    expect(adopt.json()).toMatchObject({ ok: true, kind: 'ours', problems: [] })
    const doctor = await pds(['doctor', '--data-dir', target, '--json'])
    const checks = doctor.json().checks as Array<{ name: string; status: string; detail: string }>
    expect(checks.find((c) => c.name === 'permissions')).toMatchObject({ status: 'pass' })
    expect(checks.filter((c) => c.status === 'fail')).toEqual([])
    expect(doctor.code).toBe(0)
    replacement = await startServer(buildConfig(testEnv(target, h.server.port, modEnv)), { hostname: '127.0.0.1' })

    const labelsAfter = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [post.uri] })).data.labels
    expect(labelsAfter).toEqual(labelsBefore)
    const teamKey = await labelKeyFromPlc(h.plc.url, h.teamDid)
    expect(await verifiesWith(labelsAfter[0]!, teamKey)).toBe(true)
    const events = await h.team.tools.ozone.moderation.queryEvents({ subject: post.uri })
    expect(events.data.events.map((e) => e.event.$type).sort()).toEqual(['tools.ozone.moderation.defs#modEventLabel', 'tools.ozone.moderation.defs#modEventReport'])
    expect(replacement.services.moderation.listReports({ status: 'closed' }).reports.map((r) => r.id)).toContain(report.data.id) // closed by the label

    // The restored label key signs new labels that verify against the unchanged DID document.
    await h.team.tools.ozone.moderation.emitEvent({
      event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: ['rude'], negateLabelVals: [] },
      subject: { $type: 'com.atproto.repo.strongRef', uri: post.uri, cid: post.cid },
      createdBy: h.teamDid,
    })
    const fresh = (await h.agent().com.atproto.label.queryLabels({ uriPatterns: [post.uri] })).data.labels.find((l) => l.val === 'rude')!
    expect(await verifiesWith(fresh, teamKey)).toBe(true)
  }, 90_000)
})
