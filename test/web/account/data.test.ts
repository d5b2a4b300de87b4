// Your data in the browser: collections → records → one record (JSON, CID, AT-URI), blobs with image
// previews served safely, and the repository as a CAR file that verifies as this account's repo.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CarReader } from '@ipld/car'
import sharp from 'sharp'
import { checkView, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
let pat: Awaited<ReturnType<WebHarness['signUp']>>
beforeAll(async () => {
  h = await startWebHarness()
  pat = await h.signUp('pat')
})
afterAll(() => h?.close())

test('browse collections and records, see an image blob, download the repository', async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer()
  const upload = await pat.agent.uploadBlob(new Uint8Array(png), { encoding: 'image/png' })
  const post = await pat.agent.post({
    text: 'a post <b>with</b> markup',
    createdAt: new Date().toISOString(),
    embed: { $type: 'app.bsky.embed.images', images: [{ image: upload.data.blob, alt: 'a square' }] },
  })
  const rkey = post.uri.split('/').pop()!

  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, pat.handle, pat.password, '/account/data')
  await checkView(page, 'data')
  await page.getByRole('link', { name: 'app.bsky.feed.post' }).click()
  await page.getByText('a post <b>with</b> markup').waitFor()
  await checkView(page, 'data-collection')
  await page.getByRole('link', { name: rkey }).click()
  const main = page.locator('main')
  await main.getByText(post.uri, { exact: true }).waitFor()
  await main.getByText(post.cid, { exact: true }).waitFor()
  const json = JSON.parse((await main.locator('pre').textContent())!)
  expect(json.text).toBe('a post <b>with</b> markup')
  await checkView(page, 'data-record')

  await page.goto('/account/data/blobs')
  const cid = upload.data.blob.ref.toString()
  await main.getByText(cid, { exact: true }).waitFor()
  await main.getByText(/image\/png · \d+ B/).waitFor()
  const preview = main.getByRole('img', { name: `Preview of ${cid}` })
  expect(await preview.evaluate((img: any) => img.complete && img.naturalWidth)).toBe(40)
  await checkView(page, 'data-blobs')
  const blob = await context.request.get(`/account/data/blob?cid=${cid}`)
  expect(blob.headers()['content-security-policy']).toBe("default-src 'none'; sandbox")
  expect(blob.headers()['x-content-type-options']).toBe('nosniff')

  // The CAR download: this account's repo, with the post in it.
  await page.goto('/account/data')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download repository (.car)' }).click()])
  expect(download.suggestedFilename()).toMatch(/^pat\.test-\d{4}-\d\d-\d\d\.car$/)
  const car = await CarReader.fromBytes(new Uint8Array(readFileSync((await download.path())!)))
  const [root] = await car.getRoots()
  expect(root!.toString()).toBe(h.server.services.repo.getRepoRoot(pat.did)!.cid.toString())
  expect(await car.get(root!)).toBeDefined()

  // Every blob in one tar archive, readable by the system's tar, bytes as uploaded.
  const [tarDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download all files (.tar)' }).click()])
  expect(tarDownload.suggestedFilename()).toMatch(/^pat\.test-blobs-\d{4}-\d\d-\d\d\.tar$/)
  const out = mkdtempSync(join(tmpdir(), 'pds-blobs-tar-'))
  const untar = Bun.spawnSync(['tar', '-xf', (await tarDownload.path())!, '-C', out])
  expect(untar.exitCode).toBe(0)
  expect(readdirSync(out)).toEqual([`${cid}.png`])
  expect(Buffer.compare(readFileSync(join(out, `${cid}.png`)), png)).toBe(0)
  rmSync(out, { recursive: true, force: true })
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('a record or collection that does not exist is a plain 404 page', async () => {
  const { context, page } = await h.newContext()
  await signIn(page, pat.handle, pat.password, '/account/data')
  const res = await page.goto('/account/data/record?c=app.bsky.feed.post&rkey=nope')
  expect(res!.status()).toBe(404)
  await page.getByText('There is no such record in your repository').waitFor()
  const bad = await page.goto('/account/data/collection?c=not%20an%20nsid')
  expect(bad!.status()).toBe(404)
  await context.close()
})
