// The account web app served by the compiled binary (its JSX runtime, stylesheet and client script are
// embedded): a person signs in at /account in headless Chromium and sees their account.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { freePort } from '../helpers/server.ts'
import { ensureBinary } from '../helpers/binary.ts'
import { launchChromium } from '../helpers/chromium.ts'

// A browser-side global used in page.evaluate (the project's lib has no DOM types).
declare function getComputedStyle(element: unknown): { borderRadius: string }

const sandbox = mkdtempSync(join(tmpdir(), 'pds-binary-web-'))
const env = { PATH: join(sandbox, 'empty-bin'), HOME: join(sandbox, 'home'), TMPDIR: join(sandbox, 'tmp') }

beforeAll(async () => {
  const binary = await ensureBinary()
  for (const dir of [env.PATH, env.HOME, env.TMPDIR]) mkdirSync(dir, { recursive: true })
  copyFileSync(binary, join(sandbox, 'pds'))
}, 300_000)
afterAll(() => rmSync(sandbox, { recursive: true, force: true }))

test('dist/pds serves the account web app', async () => {
  const port = await freePort()
  const proc = Bun.spawn(['./pds', 'serve'], { cwd: sandbox, env: { ...env, PDS_PORT: String(port), LOG_LEVEL: 'error' }, stdout: 'pipe', stderr: 'pipe' })
  const url = `http://127.0.0.1:${port}`
  const browser = await launchChromium()
  try {
    for (let i = 0; !(await fetch(`${url}/xrpc/_health`).then((r) => r.ok, () => false)); i++) {
      if (proc.exitCode !== null || i > 400) throw new Error(`pds serve did not start: ${await new Response(proc.stderr).text()}`)
      await Bun.sleep(25)
    }
    const agent = new AtpAgent({ service: url })
    await agent.createAccount({ email: 'web@example.com', handle: 'webby.test', password: 'a-good-password' })
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
    const consoleErrors: string[] = []
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())))
    await page.goto(`${url}/account`)
    await page.getByLabel('Handle or email').fill('webby.test')
    await page.getByLabel('Password', { exact: true }).fill('a-good-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${url}/account`)
    expect(await page.locator('main').getByText(agent.session!.did).isVisible()).toBe(true)
    // The embedded stylesheet applied (its nonce matched the CSP): the sign-out button is styled.
    expect(await page.getByRole('button', { name: 'Sign out' }).evaluate((b: any) => getComputedStyle(b).borderRadius)).toBe('8px')
    expect(consoleErrors).toEqual([])
  } finally {
    await browser.close()
    proc.kill('SIGKILL')
  }
}, 120_000)
