// `pds export` then `pds import` over XRPC: the imported repo holds exactly the exported records.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifyRepoCar } from '@atproto/repo'
import { formatEnvFile } from '../../src/config/env.ts'
import { cidForRaw } from '../../src/core/cbor.ts'
import { loadSharp } from '../../src/native/sharp.ts'
import { testEnv } from '../helpers/server.ts'
import { startAccountHarness, type AccountHarness } from '../e2e/account-harness.ts'
import { pds } from './cli-harness.ts'

let h: AccountHarness
const work = mkdtempSync(join(tmpdir(), 'pds-export-'))

beforeAll(async () => {
  h = await startAccountHarness()
  const env = { PDS_DID_PLC_URL: h.plc.url, PDS_EMAIL_SMTP_URL: h.smtp.url, PDS_EMAIL_FROM_ADDRESS: 'noreply@localhost' }
  writeFileSync(join(h.server.dataDir, 'pds.env'), formatEnvFile(testEnv(h.server.dataDir, h.server.port, env)), { mode: 0o600 })
})
afterAll(async () => {
  await h?.close()
  rmSync(work, { recursive: true, force: true })
})

const recordPaths = async (car: Uint8Array, did: string) => {
  const repo = await verifyRepoCar(car, did)
  return { paths: repo.creates.map((c) => `${c.collection}/${c.rkey}:${c.cid}`).sort() }
}

describe('pds export / pds import', () => {
  test('export → change → import restores the exported records and re-uploads dropped blobs', async () => {
    const alice = await h.signUp('alice')
    const sharp = await loadSharp()
    const png = new Uint8Array(await sharp({ create: { width: 20, height: 10, channels: 3, background: '#aa3300' } }).png().toBuffer())
    const blob = await alice.agent.uploadBlob(png, { encoding: 'image/png' })
    const withImage = await alice.agent.post({
      text: 'picture',
      embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: 'red' }] },
      createdAt: new Date().toISOString(),
    })
    for (let i = 0; i < 3; i++) await alice.agent.post({ text: `post ${i}`, createdAt: new Date().toISOString() })

    const car = join(work, 'alice.car')
    const blobs = join(work, 'blobs')
    const exported = await pds(['export', 'alice.test', '--out', car, '--blobs', blobs, '--data-dir', h.server.dataDir, '--json'])
    expect(exported.stderr).toBe('')
    expect(exported.code).toBe(0)
    expect(exported.json()).toMatchObject({ ok: true, did: alice.did, blobs: 1 })
    const original = await recordPaths(new Uint8Array(readFileSync(car)), alice.did)
    expect(original.paths.length).toBe(4)
    const [blobFile] = readdirSync(blobs)
    expect(blobFile).toBe(blob.data.blob.ref.toString())
    expect(cidForRaw(new Uint8Array(readFileSync(join(blobs, blobFile!)))).toString()).toBe(blobFile!)
    expect((await pds(['export', alice.did, '--out', car, '--data-dir', h.server.dataDir])).code).toBe(3) // no silent overwrite

    // Diverge: the image post (and with it the blob) goes away, a new post appears.
    await alice.agent.deletePost(withImage.uri)
    await alice.agent.post({ text: 'after the export', createdAt: new Date().toISOString() })

    const wrongDid = await pds(['import', car, '--did', 'did:plc:someoneelse', '--password', alice.password, '--data-dir', h.server.dataDir])
    expect(wrongDid.code).toBe(2)
    const imported = await pds(['import', car, '--did', alice.did, '--blobs', blobs, '--password', alice.password, '--data-dir', h.server.dataDir, '--json'])
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    expect(imported.json()).toMatchObject({ ok: true, blobsUploaded: 1, blobsMissing: [] })

    const again = join(work, 'alice-again.car')
    expect((await pds(['export', alice.did, '--out', again, '--data-dir', h.server.dataDir])).code).toBe(0)
    expect(await recordPaths(new Uint8Array(readFileSync(again)), alice.did)).toEqual(original)
    const served = await alice.agent.com.atproto.sync.getBlob({ did: alice.did, cid: blobFile! })
    expect(new Uint8Array(served.data)).toEqual(png)
  }, 60_000)
})
