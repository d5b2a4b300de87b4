// The PDS_* settings of the notification channels.
import { expect, test } from 'bun:test'
import { buildConfig } from '../../src/config/config.ts'
import { testEnv } from '../helpers/server.ts'

const config = (env: Record<string, string>) => buildConfig(testEnv('/tmp/pds-notify-config', 2583, env))

test('each channel is on when its settings are, with the reference style of errors', () => {
  expect(config({}).notify).toMatchObject({ telegram: undefined, discord: false, ntfy: undefined, signal: undefined, maxAttempts: 12, breakerThreshold: 5 })
  const on = config({
    PDS_TELEGRAM_BOT_TOKEN: '123:abc',
    PDS_DISCORD_WEBHOOKS_ENABLED: 'true',
    PDS_NTFY_URL: 'https://ntfy.example.com',
    PDS_SIGNAL_CLI_PATH: '/usr/bin/signal-cli',
    PDS_SIGNAL_ACCOUNT: '+15550001111',
  }).notify
  expect(on).toMatchObject({
    telegram: { botToken: '123:abc', apiUrl: 'https://api.telegram.org' },
    discord: true,
    ntfy: { url: 'https://ntfy.example.com' },
    signal: { cliPath: '/usr/bin/signal-cli', account: '+15550001111' },
  })
  expect(() => config({ PDS_SIGNAL_CLI_PATH: 'signal-cli' })).toThrow('PDS_SIGNAL_ACCOUNT: is required')
  expect(() => config({ PDS_SIGNAL_CLI_PATH: 'signal-cli', PDS_SIGNAL_ACCOUNT: '5550001111' })).toThrow('PDS_SIGNAL_ACCOUNT')
  expect(() => config({ PDS_TELEGRAM_BOT_TOKEN: 'not a token' })).toThrow('PDS_TELEGRAM_BOT_TOKEN')
  expect(() => config({ PDS_NOTIFY_MAX_ATTEMPTS: '0' })).toThrow('PDS_NOTIFY_MAX_ATTEMPTS')
})

test('Discord bot and the signal-cli JSON-RPC daemon', () => {
  expect(config({ PDS_DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.token' }).notify).toMatchObject({
    discord: false,
    discordBot: { botToken: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.token', apiUrl: 'https://discord.com/api/v10' },
  })
  expect(() => config({ PDS_DISCORD_BOT_TOKEN: 'short' })).toThrow('PDS_DISCORD_BOT_TOKEN')
  expect(config({ PDS_SIGNAL_RPC_URL: 'http://127.0.0.1:8080/api/v1/rpc' }).notify).toMatchObject({ signal: undefined, signalRpc: { url: 'http://127.0.0.1:8080/api/v1/rpc', account: undefined } })
  expect(() => config({ PDS_SIGNAL_RPC_URL: 'http://127.0.0.1:8080/api/v1/rpc', PDS_SIGNAL_CLI_PATH: 'signal-cli', PDS_SIGNAL_ACCOUNT: '+15550001111' })).toThrow('set one of them')
})
