// Changing the handle in the browser: on the server's domains (the PLC directory and the firehose hear
// it), or to the person's own domain once it points at their DID ("check now" first).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { replayAll } from '../../helpers/firehose.ts'
import { checkView, fieldError, signIn, startWebHarness, type WebHarness } from './harness.ts'

setDefaultTimeout(60_000)

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const plcData = async (did: string) => (await (await fetch(`${h.plc.url}/${did}/data`)).json()) as { alsoKnownAs: string[] }

test('a handle on the server’s domain', async () => {
  const nina = await h.signUp('nina')
  await h.signUp('taken')
  const { context, page, consoleErrors } = await h.newContext()
  await signIn(page, nina.handle, nina.password, '/account/handle')
  await checkView(page, 'handle')

  for (const [name, message] of [
    ['ab', 'Handle too short'],
    ['bad name', 'Use only letters, digits and hyphens'],
    ['taken', 'Handle already taken'],
  ] as const) {
    await page.getByLabel('Name', { exact: true }).fill(name)
    await page.getByRole('button', { name: 'Change handle' }).click()
    expect(await fieldError(page, 'Name')).toContain(message)
  }
  await checkView(page, 'handle-error')
  expect(h.server.services.accounts.getAccount(nina.did)!.handle).toBe('nina.test')

  await page.getByLabel('Name', { exact: true }).fill('nina-new')
  await page.getByRole('button', { name: 'Change handle' }).click()
  await page.waitForURL('**/account/handle?done=changed')
  await page.getByText('Your handle is now @nina-new.test.').waitFor()
  expect(h.server.services.accounts.getAccount(nina.did)!.handle).toBe('nina-new.test')
  expect((await plcData(nina.did)).alsoKnownAs).toContain('at://nina-new.test')
  const identity = (await replayAll(h.server.port)).filter((f) => f.header.t === '#identity' && f.body.did === nina.did)
  expect(identity.at(-1)!.body.handle).toBe('nina-new.test')
  expect(consoleErrors).toEqual([])
  await context.close()
})

test('your own domain: what to publish, check now, then switch', async () => {
  const omar = await h.signUp('omar')
  const published = new Map<string, string>()
  const ctx = h.server.services.accounts.ctx as { resolveHandleRemote: (handle: string) => Promise<string | null> }
  const original = ctx.resolveHandleRemote
  ctx.resolveHandleRemote = async (handle) => published.get(handle) ?? null
  try {
    const { context, page } = await h.newContext()
    await signIn(page, omar.handle, omar.password, '/account/handle')
    await page.getByLabel('Your domain', { exact: true }).fill('not a domain')
    await page.getByRole('button', { name: 'Show what to publish and check now' }).click()
    expect(await fieldError(page, 'Your domain')).toContain('Enter a domain name')

    await page.getByLabel('Your domain', { exact: true }).fill('omar.example.com')
    await page.getByRole('button', { name: 'Show what to publish and check now' }).click()
    const main = page.locator('main')
    await main.getByText('_atproto.omar.example.com').waitFor()
    await main.getByText(`did=${omar.did}`).waitFor()
    await main.getByText('https://omar.example.com/.well-known/atproto-did').waitFor()
    await main.getByText('We did not find your DID at omar.example.com yet.').waitFor()
    await checkView(page, 'handle-own-domain')

    published.set('omar.example.com', omar.did)
    await page.getByRole('button', { name: 'Show what to publish and check now' }).click()
    await main.getByText('omar.example.com points at your account.').waitFor()
    await page.getByRole('button', { name: 'Switch to @omar.example.com' }).click()
    await page.waitForURL('**/account/handle?done=changed')
    expect(h.server.services.accounts.getAccount(omar.did)!.handle).toBe('omar.example.com')
    expect((await plcData(omar.did)).alsoKnownAs).toContain('at://omar.example.com')
    await context.close()
  } finally {
    ctx.resolveHandleRemote = original
  }
})
