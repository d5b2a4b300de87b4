// src/native from source: sharp loading, the unpack-and-dlopen path the compiled binary uses,
// and the build plugin's pieces. The compiled binary itself is covered by test/cli/binary.test.ts.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { imageInfo, loadSharp } from '../../src/native/sharp.ts'
import { loadEmbeddedSharpAddon, type EmbeddedSharpManifest } from '../../src/native/embedded-sharp.ts'
import { nativeCacheRoots } from '../../src/native/native-cache.ts'
import {
  embedSharpPlugin,
  findSharpNativeFiles,
  inlineVersionsLookup,
  manifestModuleSource,
} from '../../scripts/embed-sharp-plugin.ts'
import { formatDoctorTable, runDoctorChecks } from '../../cli/commands/doctor.ts'

const root = resolve(import.meta.dir, '../..')
const scratch = mkdtempSync(join(tmpdir(), 'pds-native-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function samplePng(width: number, height: number): Promise<Buffer> {
  const sharp = await loadSharp()
  return sharp({ create: { width, height, channels: 4, background: '#00000000' } })
    .png()
    .toBuffer()
}

describe('loadSharp / imageInfo', () => {
  test('loads once and reads size and format from bytes and from a path', async () => {
    expect(await loadSharp()).toBe(await loadSharp())
    const png = await samplePng(7, 5)
    expect(await imageInfo(new Uint8Array(png))).toEqual({ width: 7, height: 5, format: 'png' })
    const path = join(scratch, 'sample.png')
    writeFileSync(path, png)
    expect(await imageInfo(path)).toEqual({ width: 7, height: 5, format: 'png' })
  })

  test('rejects bytes that are not an image', async () => {
    await expect(imageInfo(new TextEncoder().encode('not an image'))).rejects.toThrow()
  })
})

describe('embedded addon loader', () => {
  const files = findSharpNativeFiles(root)
  const manifest: EmbeddedSharpManifest = {
    platform: files.platform,
    addon: { relativePath: files.addon.relativePath, embeddedPath: files.addon.source },
    libraries: files.libraries.map((f) => ({ relativePath: f.relativePath, embeddedPath: f.source })),
  }

  test('finds the prebuilt files in the layout the addon RPATH expects', () => {
    expect(files.platform).toBe('linux-x64')
    expect(files.addon.relativePath).toMatch(/^sharp-linux-x64\/lib\/sharp-linux-x64-[\d.]+\.node$/)
    expect(files.libraries.map((f) => f.relativePath)).toContainEqual(
      expect.stringMatching(/^sharp-libvips-linux-x64\/lib\/libvips-cpp\.so\.[\d.]+$/),
    )
  })

  test('unpacks into the first usable cache root and dlopens the addon there', () => {
    const unusable = join(scratch, 'a-file')
    writeFileSync(unusable, '')
    const usable = join(scratch, 'cache')
    const addon = loadEmbeddedSharpAddon(manifest, [unusable, usable]) as Record<string, unknown>
    expect(typeof addon.libvipsVersion).toBe('function')
    const [dir] = readdirSync(usable)
    expect(dir).toMatch(/^sharp-linux-x64-[0-9a-f]{16}$/)
    const unpackedLib = join(usable, dir!, files.libraries[0]!.relativePath)
    expect(readFileSync(unpackedLib).equals(readFileSync(files.libraries[0]!.source))).toBe(true)
    // A second load reuses the unpacked files.
    expect(loadEmbeddedSharpAddon(manifest, [usable])).toBeDefined()
  })

  test('explains a platform mismatch instead of failing inside dlopen', () => {
    expect(() => loadEmbeddedSharpAddon({ ...manifest, platform: 'linux-arm64' }, [scratch])).toThrow(
      /embeds sharp for linux-arm64 but runs on linux-x64/,
    )
  })

  test('lists every cache root it tried when none works', () => {
    const blocked = join(scratch, 'blocked')
    writeFileSync(blocked, '')
    expect(() => loadEmbeddedSharpAddon(manifest, [blocked])).toThrow(/could not load the embedded sharp addon/)
  })

  test('cache roots: explicit override, then XDG, then HOME, then a per-user temp dir', () => {
    const roots = nativeCacheRoots({ PDS_NATIVE_CACHE_DIR: '/o', XDG_CACHE_HOME: '/x', HOME: '/h' })
    expect(roots.slice(0, 3)).toEqual(['/o', '/x/pds', '/h/.cache/pds'])
    expect(roots[3]).toStartWith(join(tmpdir(), 'pds-native-'))
  })
})

describe('build plugin pieces', () => {
  test('the generated manifest module embeds every file with type "file"', () => {
    const source = manifestModuleSource(findSharpNativeFiles(root), '/loader.ts')
    expect(source.match(/with \{ type: "file" \}/g)?.length).toBe(2)
    expect(source).toContain('export default addon')
  })

  test('sharp versions lookup is pointed at an embedded versions.json', () => {
    const utility = readFileSync(join(root, 'node_modules/sharp/dist/utility.mjs'), 'utf8')
    const rewritten = inlineVersionsLookup(utility, '/v.json')
    expect(rewritten).toStartWith('import pdsEmbeddedSharpVersions from "/v.json"')
    expect(rewritten).not.toContain('/versions`)')
    expect(() => inlineVersionsLookup('export {}', '/v.json')).toThrow(/no longer requires/)
  })
})

describe('doctor from source', () => {
  test('all checks pass and the table has one row per check', async () => {
    // An empty directory and environment: a ./pds-data left by `npm start` in the checkout must not count.
    const cwd = mkdtempSync(join(tmpdir(), 'pds-doctor-cwd-'))
    const checks = await runDoctorChecks({}, undefined, { cwd, env: {}, referenceEnvFile: join(cwd, 'no-pds.env') })
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['sharp', true],
      ['sqlite', true],
    ])
    const table = formatDoctorTable(checks).split('\n')
    expect(table[0]).toMatch(/^CHECK\s+STATUS\s+DETAIL$/)
    expect(table).toHaveLength(3)
  })
})

describe('platform without a prebuilt sharp', () => {
  test('the bundle still builds and loadSharp explains what is missing', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'pds-no-sharp-')) // no node_modules/@img here
    const reasons: string[] = []
    const result = await Bun.build({
      entrypoints: [join(root, 'src/native/sharp.ts')],
      outdir: join(scratch, 'bundle'),
      target: 'bun',
      plugins: [embedSharpPlugin(bare, (reason) => reasons.push(reason))],
    })
    rmSync(bare, { recursive: true, force: true })
    expect(result.success).toBe(true)
    expect(reasons).toEqual([expect.stringMatching(/@img\/sharp-linux-x64 is not installed/)])
    const { loadSharp: loadBundledSharp } = await import(result.outputs[0]!.path)
    await expect(loadBundledSharp()).rejects.toThrow(/this pds binary was built without sharp: @img\/sharp-linux-x64/)
  })
})

describe('import discipline', () => {
  // A static `import sharp from 'sharp'` would dlopen libvips at startup of every command and
  // turn a broken native install into a binary that cannot even print --version.
  test('only src/native loads sharp; everything else goes through loadSharp()', () => {
    const offenders: string[] = []
    for (const dir of ['src', 'cli']) {
      for (const file of new Bun.Glob('**/*.ts').scanSync(join(root, dir))) {
        const path = `${dir}/${file}`
        if (path.startsWith('src/native/')) continue
        const source = readFileSync(join(root, path), 'utf8')
        if (/^\s*import\s+(?!type\b)[^;'"]*?from\s+['"]sharp['"]|import\(\s*['"]sharp['"]\s*\)/m.test(source)) {
          offenders.push(path)
        }
      }
    }
    expect(offenders).toEqual([])
  })
})
