import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig, ConfigError } from '../../src/config/config.ts'
import { mergeEnv, parseEnvFile } from '../../src/config/env.ts'
import { loadConfig } from '../../src/config/secrets.ts'

// A pds.env as the reference installer writes it.
const REFERENCE_ENV = `PDS_HOSTNAME=pds.example.com
PDS_JWT_SECRET=0123456789abcdef0123456789abcdef
PDS_ADMIN_PASSWORD=hunter2hunter2
PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX=5ad0b1a5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c
PDS_DATA_DIRECTORY=/pds
PDS_BLOBSTORE_DISK_LOCATION=/pds/blocks
PDS_BLOB_UPLOAD_LIMIT=52428800
PDS_DID_PLC_URL=https://plc.directory
PDS_BSKY_APP_VIEW_URL=https://api.bsky.app
PDS_BSKY_APP_VIEW_DID=did:web:api.bsky.app
PDS_REPORT_SERVICE_URL=https://mod.bsky.app
PDS_REPORT_SERVICE_DID=did:plc:ar7c4by46qjdydhdevvrndac
PDS_CRAWLERS=https://bsky.network
LOG_ENABLED=true
`

describe('configuration', () => {
  test("a reference installer's pds.env gives the reference layout and defaults", () => {
    const config = buildConfig(parseEnvFile(REFERENCE_ENV))
    expect(config.service.publicUrl).toBe('https://pds.example.com')
    expect(config.service.did).toBe('did:web:pds.example.com')
    expect(config.service.port).toBe(2583)
    expect(config.service.blobUploadLimit).toBe(52428800)
    expect(config.db.accountDbLocation).toBe('/pds/account.sqlite')
    expect(config.db.sequencerDbLocation).toBe('/pds/sequencer.sqlite')
    expect(config.db.didCacheDbLocation).toBe('/pds/did_cache.sqlite')
    expect(config.db.actorStoreDirectory).toBe('/pds/actors')
    expect(config.blobstore).toEqual({ provider: 'disk', location: '/pds/blocks', tempLocation: '/pds/blocks/tmp' })
    expect(config.identity.serviceHandleDomains).toEqual(['.pds.example.com'])
    expect(config.identity.plcUrl).toBe('https://plc.directory')
    expect(config.identity.localPlc).toBe(false)
    expect(config.bskyAppView).toEqual({ url: 'https://api.bsky.app', did: 'did:web:api.bsky.app', cdnUrlPattern: undefined })
    expect(config.reportService?.did).toBe('did:plc:ar7c4by46qjdydhdevvrndac')
    expect(config.crawlers).toEqual(['https://bsky.network'])
    expect(config.invites.required).toBe(false)
    expect(config.rateLimits.enabled).toBe(true)
    expect(config.proxy).toEqual({ headersTimeoutMs: 10_000, bodyTimeoutMs: 30_000, maxResponseBytes: 10 * 1024 * 1024 })
    expect(buildConfig({ ...parseEnvFile(REFERENCE_ENV), PDS_PROXY_MAX_RESPONSE_SIZE: '1048576' }).proxy.maxResponseBytes).toBe(1048576)
    // Durable by default; `normal` is the documented opt-out.
    expect(config.db.synchronous).toBe('FULL')
    expect(buildConfig({ ...parseEnvFile(REFERENCE_ENV), PDS_SQLITE_SYNCHRONOUS: 'normal' }).db.synchronous).toBe('NORMAL')
  })

  test('the environment wins over the file', () => {
    const env = mergeEnv(parseEnvFile(REFERENCE_ENV), { PDS_PORT: '3000', PDS_HOSTNAME: '' })
    const config = buildConfig(env)
    expect(config.service.port).toBe(3000)
    expect(config.service.hostname).toBe('pds.example.com')
  })

  const bad: Array<[string, string, RegExp]> = [
    ['PDS_SERVICE_HANDLE_DOMAINS', 'example.com', /leading dot|start with a dot/],
    ['PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX', 'abc', /32-byte/],
    ['PDS_PORT', 'eighty', /integer/],
    ['PDS_INVITE_REQUIRED', 'maybe', /PDS_INVITE_REQUIRED/],
    ['PDS_DID_PLC_URL', 'plc.directory', /http\(s\) URL/],
    ['PDS_HOSTNAME', 'https://pds.example.com', /bare hostname/],
    ['PDS_SQLITE_SYNCHRONOUS', 'off', /full or normal/],
  ]
  for (const [name, value, message] of bad) {
    test(`a bad ${name} fails with a message naming it`, () => {
      const env = { ...parseEnvFile(REFERENCE_ENV), [name]: value }
      let caught: unknown
      try {
        buildConfig(env)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(ConfigError)
      expect((caught as Error).message).toStartWith(`${name}: `)
      expect((caught as Error).message).toMatch(message)
    })
  }

  test('missing secrets are named', () => {
    const env = parseEnvFile(REFERENCE_ENV)
    delete env.PDS_JWT_SECRET
    expect(() => buildConfig(env)).toThrow(/^PDS_JWT_SECRET: is required/)
  })

  test('no configuration at all creates a persisted development setup', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pds-cfg-')), 'data')
    const first = loadConfig({ env: {}, dataDirectory: dir })
    expect(first.generated).toBe(true)
    expect(first.config.service.devMode).toBe(true)
    expect(first.config.service.hostname).toBe('localhost')
    expect(first.config.identity.localPlc).toBe(true)
    expect(first.config.identity.plcUrl).toBe('http://localhost:2583/_plc')
    expect(statSync(first.envFile).mode & 0o777).toBe(0o600)
    const second = loadConfig({ env: {}, dataDirectory: dir })
    expect(second.generated).toBe(false)
    expect(second.config.secrets).toEqual(first.config.secrets)
    expect(readFileSync(first.envFile, 'utf8')).toContain('PDS_DEV_MODE=true')
  })

  test('production mode never hosts a PLC directory', () => {
    const config = buildConfig({ ...parseEnvFile(REFERENCE_ENV), PDS_DID_PLC_URL: '' })
    expect(config.identity.localPlc).toBe(false)
  })
})
