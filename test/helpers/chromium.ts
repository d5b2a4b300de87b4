// Headless Chromium for browser tests: Debian's `chromium` package driven by playwright-core (no bundled
// browser download). scripts/ensure-test-tools.sh installs it on a fresh Debian machine before the suite.
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core'

const DEBIAN_CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_PATH =
  process.env.PDS_CHROMIUM_PATH || (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : (Bun.which('chromium') ?? DEBIAN_CHROMIUM))

/** Launches headless Chromium; fails (never skips) with a message naming the missing binary. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. ` +
        'Install Debian\'s package (`apt-get install chromium`, which `npm test` does as root via scripts/ensure-test-tools.sh) ' +
        'or point PDS_CHROMIUM_PATH at a Chromium binary.',
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // --no-sandbox: tests run as root in CI, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
}

export type VirtualAuthenticator = { cdp: CDPSession; id: string; credentials(): Promise<Array<{ credentialId: string; isResidentCredential: boolean; userHandle?: string }>> }

/**
 * A CDP virtual authenticator (WebAuthn.addVirtualAuthenticator) on the page: a platform authenticator
 * holding discoverable credentials, verifying the user and answering at once.
 */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  })
  return {
    cdp,
    id: authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  }
}
