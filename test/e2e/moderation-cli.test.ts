// `pds moderation enable` run as a process against a live server, and `pds init --mod-team-handle`.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer, testEnv, type TestServer } from '../helpers/server.ts'
import { writeEnvFile } from '../../src/config/secrets.ts'
import { parseEnvFile } from '../../src/config/env.ts'
import { pds } from '../cli/cli-harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  writeEnvFile(join(server.dataDir, 'pds.env'), testEnv(server.dataDir, server.port))
})
afterAll(() => server.close())

const cli = (...args: string[]) => pds([...args, '--data-dir', server.dataDir])

test('enable names a missing account clearly, creates it with --email, and is idempotent', async () => {
  const missing = await cli('moderation', 'enable', 'mod.test')
  expect(missing.code).not.toBe(0)
  expect(missing.stderr).toContain('No account mod.test on this server (create it first, or pass --email to create it now)')
  expect(server.services.moderation.enabled).toBe(false)

  const enabled = await cli('moderation', 'enable', 'mod.test', '--email', 'mod@example.com', '--json')
  expect(enabled.code).toBe(0)
  const result = enabled.json()
  expect(result).toMatchObject({ handle: 'mod.test', didDocUpdated: true, labelValues: expect.arrayContaining(['!takedown', 'spam']) })
  expect(result.labelKey).toMatch(/^did:key:z/)
  expect(result.password).toBeString()
  expect(server.services.moderation.teamDid()).toBe(result.did)
  expect(server.services.moderation.labelKey()).toBe(result.labelKey)
  const doc = await server.services.accounts.didDocFor(result.did)
  expect(doc?.service).toContainEqual({ id: '#atproto_labeler', type: 'AtprotoLabeler', serviceEndpoint: server.config.service.publicUrl })

  const again = await cli('moderation', 'enable', 'mod.test', '--json')
  expect(again.code).toBe(0)
  expect(again.json()).toMatchObject({ did: result.did, labelKey: result.labelKey, didDocUpdated: false })
  expect(again.json().password).toBeUndefined()

  // The declared label values can be changed; the record follows, and an invalid value changes nothing.
  const relabeled = await cli('moderation', 'enable', 'mod.test', '--labels', 'spam, rude', '--json')
  expect(relabeled.json().labelValues).toEqual(['spam', 'rude'])
  const bad = await cli('moderation', 'enable', 'mod.test', '--labels', 'Not Valid')
  expect(bad.code).not.toBe(0)
  expect(bad.stderr).toContain('Invalid label value: Not Valid')
  const record = server.services.repo.getRecord(result.did, 'app.bsky.labeler.service', 'self')
  expect((record!.value as { policies: unknown }).policies).toEqual({ labelValues: ['spam', 'rude'] })
}, 60_000)

test('init --mod-team-handle writes PDS_MOD_TEAM_HANDLE and leaves reports to the team', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-init-mod-'))
  try {
    const res = await pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', join(dir, 'data'), '--mod-team-handle', 'mod.pds.example.com'])
    expect(res.code).toBe(0)
    const env = parseEnvFile(readFileSync(join(dir, 'data', 'pds.env'), 'utf8'))
    expect(env.PDS_MOD_TEAM_HANDLE).toBe('mod.pds.example.com')
    expect(env.PDS_REPORT_SERVICE_URL).toBeUndefined()
    expect(env.PDS_BSKY_APP_VIEW_URL).toBe('https://api.bsky.app')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 30_000)

test('rotate-label-key puts a new #atproto_label key in the DID document and signs with it', async () => {
  const before = server.services.moderation.labelKey()
  const rotated = await cli('moderation', 'rotate-label-key', '--json')
  expect(rotated.code).toBe(0)
  const result = rotated.json()
  expect(result).toMatchObject({ did: server.services.moderation.teamDid(), previousKey: before })
  expect(result.labelKey).not.toBe(before)
  expect(server.services.moderation.labelKey()).toBe(result.labelKey)
  const doc = await server.services.accounts.didDocFor(result.did)
  expect(doc?.verificationMethod?.find((m) => m.id.endsWith('#atproto_label'))?.publicKeyMultibase).toBe(result.labelKey.slice('did:key:'.length))
  const text = await cli('moderation', 'rotate-label-key')
  expect(text.code).toBe(0)
  expect(text.stdout).toContain(`previous key: ${result.labelKey} (no longer in the DID document)`)
}, 60_000)
