// Rotating the labeler's #atproto_label key (`pds moderation rotate-label-key`'s endpoint) against a real PLC
// directory: the team's DID document names the new key (and keeps the rest), new labels are signed with it,
// and labels issued before are signed again as Ozone does, so every label from queryLabels and from a
// subscribeLabels replay verifies against the key resolved from PLC; the key file holds the new key (what a
// backup copies); a rotation a crash interrupted is finished with the same key at the next tick.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalLayout, createBackup } from '../../src/services/backup/index.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { KeyFiles } from '../../src/storage/key-files.ts'
import { labelKeyLabel, listLabelKeyFiles, pendingLabelKeyPath } from '../../src/storage/moderation/label-keys.ts'
import { readLabelKey } from '../../src/services/moderation/setup.ts'
import { SimpleDidResolver } from '../helpers/did-resolver.ts'
import { startTestServer } from '../helpers/server.ts'
import { labelKeyFromPlc, startModHarness, subscribeLabelFrames, verifiesWith, type ModHarness } from './moderation-harness.ts'

let h: ModHarness
const posts: Array<{ uri: string; cid: string }> = []

beforeAll(async () => {
  h = await startModHarness()
  const bob = await h.signUp('bob')
  for (let i = 0; i < 3; i++) posts.push(await bob.agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() }))
})

afterAll(async () => {
  await h.close()
})

const label = (subject: { uri: string; cid: string }, create: string[], negate: string[] = []) =>
  h.team.tools.ozone.moderation.emitEvent({
    event: { $type: 'tools.ozone.moderation.defs#modEventLabel', createLabelVals: create, negateLabelVals: negate },
    subject: { $type: 'com.atproto.repo.strongRef', ...subject },
    createdBy: h.teamDid,
  })
const rotate = () => fetch(`${h.server.url}/_admin/moderation/rotate-label-key`, { method: 'POST', headers: { authorization: h.server.adminAuth } })
const allLabels = async () => (await h.agent().com.atproto.label.queryLabels({ uriPatterns: ['*'] })).data.labels
const keyDir = () => join(h.server.dataDir, 'moderation')

async function replayed(count: number) {
  const { ws, frames } = await subscribeLabelFrames(h.server.port, 0)
  for (let i = 0; i < 200 && frames.length < count; i++) await Bun.sleep(20)
  ws.close()
  return frames.filter((f) => f.t === '#labels').flatMap((f) => f.body.labels)
}

test('after a rotation, old and new labels from queryLabels and subscribeLabels verify against the key in PLC', async () => {
  await label(posts[0]!, ['spam'])
  await label(posts[1]!, ['nudity', 'sexual'])
  await label(posts[1]!, [], ['sexual'])
  const oldKey = await labelKeyFromPlc(h.plc.url, h.teamDid)
  expect(oldKey).toBe(h.labelKey)
  for (const l of await allLabels()) expect(await verifiesWith(l, oldKey)).toBe(true)
  const docBefore = await new SimpleDidResolver({ plcUrl: h.plc.url }).resolve(h.teamDid, true)

  const res = await rotate()
  expect(res.status).toBe(200)
  const rotated = (await res.json()) as { did: string; labelKey: string; previousKey: string }
  expect(rotated).toMatchObject({ did: h.teamDid, previousKey: oldKey })
  expect(rotated.labelKey).toMatch(/^did:key:z/)
  expect(rotated.labelKey).not.toBe(oldKey)
  const newKey = await labelKeyFromPlc(h.plc.url, h.teamDid)
  expect(newKey).toBe(rotated.labelKey)
  expect(h.server.services.moderation.labelKey()).toBe(newKey)
  // Only the label key changed: the signing key, handle and the labeler endpoint stay.
  const docAfter = await new SimpleDidResolver({ plcUrl: h.plc.url }).resolve(h.teamDid, true)
  expect(docAfter!.service).toEqual(docBefore!.service)
  expect(docAfter!.alsoKnownAs).toEqual(docBefore!.alsoKnownAs)
  expect(docAfter!.verificationMethod!.filter((m) => !m.id.endsWith('#atproto_label'))).toEqual(docBefore!.verificationMethod!.filter((m) => !m.id.endsWith('#atproto_label')))

  await label(posts[2]!, ['graphic-media'])
  const labels = await allLabels()
  expect(labels.map((l) => `${l.val}${l.neg ? ' (neg)' : ''}`)).toEqual(['spam', 'nudity', 'sexual', 'sexual (neg)', 'graphic-media'])
  for (const l of labels) {
    expect(await verifiesWith(l, newKey)).toBe(true)
    expect(await verifiesWith(l, oldKey)).toBe(false)
  }
  // The replay of subscribeLabels carries the same labels, signed with the new key.
  const streamed = await replayed(5)
  expect(streamed.map((l: any) => l.val)).toEqual(['spam', 'nudity', 'sexual', 'sexual', 'graphic-media'])
  for (const l of streamed) expect(await verifiesWith(l, newKey)).toBe(true)
  // On disk: one label key file (the one backups and key conversions take), holding the new key.
  const files = listLabelKeyFiles(keyDir())
  expect(files.map((f) => f.label)).toEqual([labelKeyLabel(h.teamDid)])
  expect(readLabelKey({ keyFiles: new KeyFiles(), directory: keyDir() }, h.teamDid)!.did()).toBe(newKey)

  // A second rotation: the labels re-signed once are signed again, still all verifying.
  const again = (await (await rotate()).json()) as { labelKey: string; previousKey: string }
  expect(again.previousKey).toBe(newKey)
  const newest = await labelKeyFromPlc(h.plc.url, h.teamDid)
  expect(newest).toBe(again.labelKey)
  for (const l of await allLabels()) expect(await verifiesWith(l, newest)).toBe(true)
}, 30_000)

test('a rotation interrupted after the new key was written is finished with that key at the next tick', async () => {
  const pending = Secp256k1Keypair.create()
  new KeyFiles().write(pendingLabelKeyPath(keyDir(), h.teamDid), pending.exportPrivateKey(), labelKeyLabel(h.teamDid))
  await label(posts[0]!, ['porn'])
  await h.server.services.moderation.ensureSetUp()
  expect(await labelKeyFromPlc(h.plc.url, h.teamDid)).toBe(pending.did())
  expect(h.server.services.moderation.labelKey()).toBe(pending.did())
  expect(listLabelKeyFiles(keyDir()).map((f) => f.path)).toEqual([join(keyDir(), `${encodeURIComponent(h.teamDid)}.label-key`)])
  for (const l of await allLabels()) expect(await verifiesWith(l, pending.did())).toBe(true)
})

test('a backup taken after a rotation holds the new key, as it held the old one', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pds-rotation-backup-'))
  try {
    const result = await createBackup({ layout: canonicalLayout(h.server.dataDir), backupRoot: root, pdsVersion: 't' })
    const keyFiles = result.manifest.files.filter((f) => f.kind === 'key' && f.path.startsWith('moderation/'))
    expect(keyFiles.map((f) => f.path)).toEqual([`moderation/${encodeURIComponent(h.teamDid)}.label-key`])
    expect(readLabelKey({ keyFiles: new KeyFiles(), directory: join(result.path, 'moderation') }, h.teamDid)!.did()).toBe(await labelKeyFromPlc(h.plc.url, h.teamDid))
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('rotating with moderation off is a clear error', async () => {
  const bare = await startTestServer({ PDS_DID_PLC_URL: h.plc.url })
  try {
    const res = await fetch(`${bare.url}/_admin/moderation/rotate-label-key`, { method: 'POST', headers: { authorization: bare.adminAuth } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'InvalidRequest', message: 'Moderation is not set up: run `pds moderation enable <handle>` first' })
    const unauthenticated = await fetch(`${h.server.url}/_admin/moderation/rotate-label-key`, { method: 'POST' })
    expect(unauthenticated.status).toBe(401)
  } finally {
    await bare.close()
  }
})
