// `pds init` as a person runs it: the compiled binary in a real terminal (tmux), answering the prompts.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnvFile } from '../../src/config/env.ts'
import { ensureBinary } from '../helpers/binary.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-init-tty-'))
const session = `pds-init-${process.pid}`
afterAll(() => {
  Bun.spawnSync(['tmux', 'kill-session', '-t', session])
  rmSync(work, { recursive: true, force: true })
})

const tmux = (...args: string[]) => {
  const res = Bun.spawnSync(['tmux', ...args])
  if (res.exitCode !== 0) throw new Error(`tmux ${args[0]} failed: ${res.stderr.toString()}`)
  return res.stdout.toString()
}

async function waitForScreen(text: string): Promise<string> {
  let screen = ''
  for (let i = 0; i < 200; i++) {
    screen = tmux('capture-pane', '-p', '-t', session)
    if (screen.includes(text)) return screen
    await Bun.sleep(50)
  }
  throw new Error(`never saw ${JSON.stringify(text)} on the screen:\n${screen}`)
}

async function answer(prompt: string, ...keys: string[]) {
  await waitForScreen(prompt)
  for (const key of keys) tmux('send-keys', '-t', session, key)
}

test('interactive pds init writes the answers to pds.env', async () => {
  if (!Bun.which('tmux')) throw new Error('tmux is required for this test (apt-get install tmux; npm test installs it as root)')
  const binary = await ensureBinary()
  const dataDir = join(work, 'data')
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', work, `${binary} init; sleep 30`)
  await answer('Public hostname', 'pds.example.org', 'Enter')
  await answer('Admin contact email', 'ops@example.org', 'Enter')
  await answer('Data directory', 'C-u', dataDir, 'Enter')
  await answer('Handle domains', 'Enter') // keeps the suggested .pds.example.org
  await answer('SMTP URL', 'Enter')
  await answer('Telegram bot token', 'Enter')
  await answer('Discord bot token', 'Enter')
  await answer("signal-cli's JSON-RPC daemon URL", 'http://127.0.0.1:8080/api/v1/rpc', 'Enter')
  await answer('Require invite codes?', 'Enter')
  await answer('Encrypt signing keys at rest', 'Enter') // No: the default keeps plain keys
  await answer('Daily encrypted off-site backups', 'Enter') // No: none by default
  await answer("Use Bluesky's public AppView", 'Enter')
  await answer('operator console at /admin', 'me.pds.example.org', 'Enter')
  await answer('Serve Prometheus metrics', 'Enter') // No: metrics stay off
  await answer('Moderation team account handle', 'Enter') // none: moderation stays off
  const screen = await waitForScreen('Next steps')
  expect(screen).toContain(`Wrote ${join(dataDir, 'pds.env')} (mode 0600)`)
  const envPath = join(dataDir, 'pds.env')
  expect(statSync(envPath).mode & 0o777).toBe(0o600)
  const env = parseEnvFile(readFileSync(envPath, 'utf8'))
  expect(env).toMatchObject({
    PDS_HOSTNAME: 'pds.example.org',
    PDS_CONTACT_EMAIL_ADDRESS: 'ops@example.org',
    PDS_DATA_DIRECTORY: dataDir,
    PDS_SERVICE_HANDLE_DOMAINS: '.pds.example.org',
    PDS_INVITE_REQUIRED: 'true',
    PDS_BSKY_APP_VIEW_URL: 'https://api.bsky.app',
    PDS_CRAWLERS: 'https://bsky.network',
    PDS_ADMIN_HANDLES: 'me.pds.example.org',
    PDS_SIGNAL_RPC_URL: 'http://127.0.0.1:8080/api/v1/rpc',
  })
  expect(env.PDS_EMAIL_SMTP_URL).toBeUndefined()
  expect(env.PDS_TELEGRAM_BOT_TOKEN).toBeUndefined()
  expect(env.PDS_DISCORD_BOT_TOKEN).toBeUndefined()
  expect(env.PDS_METRICS_ENABLED).toBeUndefined()
  expect(env.PDS_MOD_TEAM_HANDLE).toBeUndefined()
  expect(env.PDS_BACKUP_S3_URL).toBeUndefined()
  expect(env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX).toMatch(/^[0-9a-f]{64}$/)
})
