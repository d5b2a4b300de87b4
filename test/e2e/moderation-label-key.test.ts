// The #atproto_label key is kept like the signing keys: sealed with the key encryption key when one is
// configured, and converted by `pds keys encrypt|decrypt` (convertKeys) along with them.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isSealed, KeySealer, parseKeyEncryptionKey } from '../../src/core/crypto/key-seal.ts'
import { convertKeys } from '../../src/services/repo/convert-keys.ts'
import { readLabelKey } from '../../src/services/moderation/setup.ts'
import { listLabelKeyFiles } from '../../src/storage/moderation/label-keys.ts'
import { KeyFiles } from '../../src/storage/key-files.ts'
import { startModHarness, type ModHarness } from './moderation-harness.ts'

const KEK = 'a1'.repeat(32)
let h: ModHarness

beforeAll(async () => {
  h = await startModHarness({ PDS_KEY_ENCRYPTION_KEY: KEK })
})

afterAll(async () => {
  await h.close()
})

test('the label key is sealed at rest, bound to the team DID, and converted with the other keys', async () => {
  const directory = join(h.server.dataDir, 'moderation')
  const files = listLabelKeyFiles(directory)
  expect(files).toEqual([{ path: join(directory, `${encodeURIComponent(h.teamDid)}.label-key`), label: `${h.teamDid}#atproto_label` }])
  expect(isSealed(new Uint8Array(readFileSync(files[0]!.path)))).toBe(true)
  const sealer = new KeySealer(parseKeyEncryptionKey(KEK))
  expect(readLabelKey({ keyFiles: new KeyFiles(sealer), directory }, h.teamDid)!.did()).toBe(h.labelKey)
  const result = convertKeys({ actorStoreDirectory: join(h.server.dataDir, 'actors'), envFile: join(h.server.dataDir, 'pds.env'), moderationDirectory: directory }, sealer, 'plain')
  expect(result.converted).toBeGreaterThanOrEqual(1)
  expect(isSealed(new Uint8Array(readFileSync(files[0]!.path)))).toBe(false)
  expect(readLabelKey({ keyFiles: new KeyFiles(), directory }, h.teamDid)!.did()).toBe(h.labelKey)
})

test('a rotated label key is kept the same way: sealed, bound to the team DID, in the one key file', async () => {
  const directory = join(h.server.dataDir, 'moderation')
  const sealer = new KeySealer(parseKeyEncryptionKey(KEK))
  new KeyFiles(sealer).convert(listLabelKeyFiles(directory)[0]!.path, `${h.teamDid}#atproto_label`, 'sealed') // the test above left it plain
  const res = await fetch(`${h.server.url}/_admin/moderation/rotate-label-key`, { method: 'POST', headers: { authorization: h.server.adminAuth } })
  const { labelKey } = (await res.json()) as { labelKey: string }
  expect(labelKey).not.toBe(h.labelKey)
  const files = listLabelKeyFiles(directory)
  expect(files.map((f) => f.path)).toEqual([join(directory, `${encodeURIComponent(h.teamDid)}.label-key`)])
  expect(isSealed(new Uint8Array(readFileSync(files[0]!.path)))).toBe(true)
  expect(readLabelKey({ keyFiles: new KeyFiles(sealer), directory }, h.teamDid)!.did()).toBe(labelKey)
})
