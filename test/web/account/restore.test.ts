// The account app's "Restore an account" view in headless Chromium: an account created on another of our
// servers, that server and its data gone, restored here from its repo CAR and the rotation key the old
// server listed. Refusals (a key that is not a rotation key, a file that is not a repo) are said beside
// their field and change nothing.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startTestServer } from '../../helpers/server.ts'
import { PNG_1x1 } from '../../interop/peers.ts'
import { checkView, fieldError, startWebHarness, type WebHarness } from './harness.ts'

const OLD_ROTATION_KEY = '1111111111111111111111111111111111111111111111111111111111111111'
const work = mkdtempSync(join(tmpdir(), 'pds-web-restore-'))
const carFile = join(work, 'repo.car')
const notACar = join(work, 'notes.car')
let h: WebHarness
let did = ''

beforeAll(async () => {
  h = await startWebHarness()
  const old = await startTestServer({ PDS_DID_PLC_URL: h.plc.url, PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: OLD_ROTATION_KEY })
  const agent = new AtpAgent({ service: old.url })
  await agent.createAccount({ handle: 'phoenix.test', email: 'phoenix@example.com', password: 'old-password' })
  did = agent.session!.did
  const blob = (await agent.uploadBlob(PNG_1x1, { encoding: 'image/png' })).data.blob
  await agent.post({ text: 'before the fire', embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: '' }] } })
  await agent.post({ text: 'another one' })
  writeFileSync(carFile, new Uint8Array((await agent.com.atproto.sync.getRepo({ did })).data))
  writeFileSync(notACar, 'these are not the blocks you are looking for')
  await old.close() // its data directory goes with it
}, 120_000)
afterAll(async () => {
  await h?.close()
  rmSync(work, { recursive: true, force: true })
})

test('restore from a CAR and the rotation key: refusals beside their field, then the account is back', async () => {
  const { page, context, consoleErrors } = await h.newContext()
  await page.goto('/account/sign-in')
  await page.getByRole('link', { name: 'Restore an account' }).click()
  await page.waitForURL('**/account/restore')
  await checkView(page, 'restore')
  const fill = async (file: string, key: string) => {
    await page.getByLabel('Repository file (.car)').setInputFiles(file)
    await page.getByLabel('Rotation key', { exact: true }).fill(key)
    await page.getByLabel('Email here', { exact: true }).fill('phoenix@example.org')
    await page.getByLabel('New password here', { exact: true }).fill('a new password')
    await page.getByRole('button', { name: 'Restore' }).click()
  }

  await fill(notACar, OLD_ROTATION_KEY)
  expect(await fieldError(page, 'Repository file (.car)')).toStartWith('The CAR file is not a repo')
  await fill(carFile, '2'.repeat(64))
  expect(await fieldError(page, 'Rotation key')).toContain('is not a rotation key of the DID')
  await fill(carFile, 'not hex')
  expect(await fieldError(page, 'Rotation key')).toContain('64 characters')
  expect((await fetch(`${h.server.url}/xrpc/com.atproto.repo.describeRepo?repo=${did}`)).status).toBe(400)

  await fill(carFile, OLD_ROTATION_KEY)
  await page.getByRole('heading', { name: 'Account restored' }).waitFor()
  expect(await page.getByText('lives here now').textContent()).toBe(`${did} lives here now as @phoenix.test, with 2 records.`)
  await page.getByText('1 pictures or other files were not in the restore').waitFor()
  await checkView(page, 'restore-done')
  expect(consoleErrors).toEqual([])

  const agent = new AtpAgent({ service: h.server.url })
  await agent.login({ identifier: 'phoenix.test', password: 'a new password' })
  expect((await agent.com.atproto.server.checkAccountStatus()).data).toMatchObject({ activated: true, validDid: true })
  const doc = (await (await fetch(`${h.plc.url}/${did}/data`)).json()) as { rotationKeys: string[]; services: Record<string, { endpoint: string }> }
  expect(doc.services.atproto_pds!.endpoint).toBe(h.server.config.service.publicUrl)
  expect((await agent.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })).data.records.map((r) => (r.value as { text: string }).text).sort()).toEqual(['another one', 'before the fire'])

  // The same CAR again: the DID is hosted here now.
  await page.goto('/account/restore')
  await fill(carFile, OLD_ROTATION_KEY)
  await page.getByText('is already hosted on this server').waitFor()
  await context.close()
}, 120_000)
