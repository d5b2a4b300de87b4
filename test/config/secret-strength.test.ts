// Outside dev mode the server refuses guessable secrets at startup; dev mode and random secrets pass.
import { describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { assertStrongSecrets, buildConfig } from '../../src/config/config.ts'
import { weakSecretProblem } from '../../src/config/secret-strength.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEnvFile } from '../../src/config/env.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { pds } from '../cli/cli-harness.ts'

const base = {
  PDS_HOSTNAME: 'pds.example.com',
  PDS_JWT_SECRET: randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: randomBytes(24).toString('base64url'),
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: 'ab'.repeat(32),
}

describe('weak secrets', () => {
  test('short, repeated, sequential and low-variety secrets are named for what they are', () => {
    expect(weakSecretProblem('hunter2')).toBe('is too short (7 characters)')
    expect(weakSecretProblem('password'.repeat(4))).toBe('is a repeated pattern')
    expect(weakSecretProblem('abcdefghijklmnopqrstuvwxyz0123456789')).toBe('is mostly a run of neighbouring characters')
    expect(weakSecretProblem('azmzazmmazzamzmazzmaazmzamzmazmaz')).toBe('has too little variety to be random')
  })

  test('what `pds init` and `openssl rand -hex 16` produce passes, every time', () => {
    for (let i = 0; i < 2000; i++) expect(weakSecretProblem(randomBytes(16).toString('hex'))).toBeNull()
  })

  test('startup refuses a weak secret outside dev mode with one line naming the variable', () => {
    expect(() => assertStrongSecrets(buildConfig({ ...base, PDS_JWT_SECRET: 'secret' }))).toThrow(
      /^PDS_JWT_SECRET: is too short \(6 characters\); outside dev mode it must be at least 32 random characters/,
    )
    expect(() => assertStrongSecrets(buildConfig({ ...base, PDS_ADMIN_PASSWORD: 'x'.repeat(40) }))).toThrow(/^PDS_ADMIN_PASSWORD: is a repeated pattern/)
    expect(() => assertStrongSecrets(buildConfig(base))).not.toThrow()
    expect(() => assertStrongSecrets(buildConfig({ ...base, PDS_DEV_MODE: 'true', PDS_JWT_SECRET: 'dev', PDS_ADMIN_PASSWORD: 'dev' }))).not.toThrow()
  })
})

test('`pds serve` outside dev mode with a short JWT secret exits 78 with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-weak-'))
  try {
    writeFileSync(join(dir, 'pds.env'), formatEnvFile({ ...testEnv(dir, await freePort()), PDS_DEV_MODE: 'false', PDS_HOSTNAME: 'pds.example.com', PDS_JWT_SECRET: 'changeme' }))
    const run = await pds(['serve', '--data-dir', dir])
    expect(run.code).toBe(78)
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('pds: configuration error'))
    expect(errors).toEqual(['pds: configuration error: PDS_JWT_SECRET: is too short (8 characters); outside dev mode it must be at least 32 random characters (generate one with: openssl rand -hex 32)'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
