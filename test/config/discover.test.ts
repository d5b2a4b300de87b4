// Where `pds serve` and every operator command find pds.env, and what they say about its lines.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { discoverConfig, resolveEnv } from '../../src/config/discover.ts'
import { lintEnvFile } from '../../src/config/env.ts'
import { KNOWN_PDS_NAMES } from '../../src/config/known-env.ts'
import { loadConfig } from '../../src/config/secrets.ts'

const root = mkdtempSync(join(tmpdir(), 'pds-discover-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A working directory, a "/pds" stand-in, and which of the candidate files exist. */
function layout(name: string, files: Array<'cwd' | 'cwd-data' | 'reference' | 'env-dir'>) {
  const base = join(root, name)
  const dirs = { cwd: join(base, 'cwd'), reference: join(base, 'pds'), envDir: join(base, 'from-env') }
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true })
  const paths = {
    cwd: join(dirs.cwd, 'pds.env'),
    'cwd-data': join(dirs.cwd, 'pds-data', 'pds.env'),
    reference: join(dirs.reference, 'pds.env'),
    'env-dir': join(dirs.envDir, 'pds.env'),
  }
  for (const f of files) {
    mkdirSync(join(paths[f], '..'), { recursive: true })
    writeFileSync(paths[f], `PDS_HOSTNAME=${f}.example.com\n`)
  }
  return { ...dirs, paths, ctx: (env: Record<string, string> = {}) => ({ cwd: dirs.cwd, env, referenceEnvFile: paths.reference }) }
}

describe('configuration discovery', () => {
  test('order: --data-dir, $PDS_DATA_DIRECTORY, ./pds.env, ./pds-data/pds.env, /pds/pds.env', () => {
    const all = layout('all', ['cwd', 'cwd-data', 'reference', 'env-dir'])
    const flagged = discoverConfig({ dataDir: all.envDir }, all.ctx())
    expect(flagged).toMatchObject({ envFile: all.paths['env-dir'], via: '--data-dir' })
    expect(discoverConfig({}, all.ctx({ PDS_DATA_DIRECTORY: all.envDir }))).toMatchObject({ envFile: all.paths['env-dir'], via: '$PDS_DATA_DIRECTORY' })
    expect(discoverConfig({}, all.ctx())).toMatchObject({ envFile: all.paths.cwd, dataDirectory: all.cwd, via: './pds.env' })
    const second = layout('second', ['cwd-data', 'reference'])
    expect(discoverConfig({}, second.ctx())).toMatchObject({ envFile: second.paths['cwd-data'], via: './pds-data/pds.env' })
    const third = layout('third', ['reference'])
    expect(discoverConfig({}, third.ctx())).toMatchObject({ envFile: third.paths.reference, dataDirectory: third.reference })
    const none = layout('none', [])
    expect(discoverConfig({}, none.ctx())).toMatchObject({ fallback: true, dataDirectory: join(none.cwd, 'pds-data') })
  })

  test('`cd /pds && pds serve` uses the pds.env there instead of creating a development setup', () => {
    const ref = layout('serve-reference', ['reference'])
    writeFileSync(
      ref.paths.reference,
      `PDS_HOSTNAME=pds.example.com\nPDS_DATA_DIRECTORY=${ref.reference}\nPDS_JWT_SECRET=x\nPDS_ADMIN_PASSWORD=y\nPDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX=${'ab'.repeat(32)}\n`,
    )
    const loaded = loadConfig({ env: {}, cwd: ref.reference, referenceEnvFile: join(root, 'absent') })
    expect(loaded.generated).toBe(false)
    expect(loaded.config.service.hostname).toBe('pds.example.com')
    expect(loaded.notes[0]).toBe(`pds: configuration ${ref.paths.reference} (from ./pds.env)`)
    const elsewhere = loadConfig({ env: {}, cwd: ref.cwd, referenceEnvFile: ref.paths.reference })
    expect(elsewhere.generated).toBe(false)
    expect(elsewhere.config.db.dataDirectory).toBe(ref.reference)
    expect(elsewhere.notes[0]).toContain("the reference PDS's location")
  })

  test('--data-dir wins over PDS_DATA_DIRECTORY in the file; $PDS_DATA_DIRECTORY over the file too', () => {
    const l = layout('override', ['env-dir'])
    writeFileSync(l.paths['env-dir'], 'PDS_HOSTNAME=x.example.com\nPDS_DATA_DIRECTORY=/somewhere/else\n')
    expect(resolveEnv(discoverConfig({ dataDir: l.envDir }, l.ctx()), {}).env.PDS_DATA_DIRECTORY).toBe(l.envDir)
    expect(resolveEnv(discoverConfig({}, l.ctx({ PDS_DATA_DIRECTORY: l.envDir })), { PDS_DATA_DIRECTORY: l.envDir }).env.PDS_DATA_DIRECTORY).toBe(l.envDir)
  })
})

describe('pds.env problems', () => {
  test('a line that is not NAME=value and an unknown PDS_* name are reported with their line numbers', () => {
    const text = '# comment\nPDS_HOSTNAME=pds.example.com\nPDS_INVITE_REQUIRED true\n\nPDS_INVTE_REQUIRED=true\nOTHER_TOOL_SETTING=1\n'
    expect(lintEnvFile(text)).toEqual([
      { line: 3, message: '"PDS_INVITE_REQUIRED true" is not NAME=value; ignored' },
      { line: 5, message: 'unknown setting PDS_INVTE_REQUIRED (did you mean PDS_INVITE_REQUIRED?); ignored' },
    ])
  })

  test("every name the server reads and the reference installer's pds.env are known", () => {
    const ours = new Set<string>()
    for (const dir of ['src', 'cli']) {
      for (const file of new Bun.Glob('**/*.ts').scanSync(join(import.meta.dir, '../..', dir))) {
        const text = readFileSync(join(import.meta.dir, '../..', dir, file), 'utf8')
        for (const m of text.matchAll(/'(PDS_[A-Z0-9_]+[A-Z0-9])'/g)) ours.add(m[1]!)
      }
    }
    // Prefixes such as 'PDS_BSKY_APP_VIEW' (read as `${prefix}_URL`) are not names themselves.
    const isPrefix = (n: string) => [...KNOWN_PDS_NAMES].some((k) => k.startsWith(`${n}_`))
    const unknown = [...ours].filter((n) => !KNOWN_PDS_NAMES.has(n) && !isPrefix(n))
    expect(unknown).toEqual([])
    const reference = `PDS_HOSTNAME=a.example.com\nPDS_JWT_SECRET=x\nPDS_ADMIN_PASSWORD=x\nPDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX=x
PDS_DATA_DIRECTORY=/pds\nPDS_BLOBSTORE_DISK_LOCATION=/pds/blocks\nPDS_BLOB_UPLOAD_LIMIT=1\nPDS_DID_PLC_URL=x\nPDS_BSKY_APP_VIEW_URL=x
PDS_BSKY_APP_VIEW_DID=x\nPDS_REPORT_SERVICE_URL=x\nPDS_REPORT_SERVICE_DID=x\nPDS_CRAWLERS=x\nLOG_ENABLED=true\nPDS_EMAIL_SMTP_URL=x\nPDS_EMAIL_FROM_ADDRESS=x\n`
    expect(lintEnvFile(reference)).toEqual([])
  })
})
