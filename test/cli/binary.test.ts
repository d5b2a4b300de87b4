// The compiled `dist/pds` must work copied alone onto a machine without Bun, node_modules or
// the source tree: sharp's native addon and libvips come out of the binary itself.
// dist/pds is built once (only when missing or older than the sources) and then reused.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSharp } from '../../src/native/sharp.ts'
import { ensureBinary } from '../helpers/binary.ts'

// A bare machine: an empty directory holding only the binary, a PATH with no bun or node,
// and a fresh HOME / XDG cache where the native libraries get unpacked.
const sandbox = mkdtempSync(join(tmpdir(), 'pds-binary-test-'))
const workDir = join(sandbox, 'run')
const cacheDir = join(sandbox, 'cache')
const env = {
  PATH: join(sandbox, 'empty-bin'),
  HOME: join(sandbox, 'home'),
  XDG_CACHE_HOME: cacheDir,
  TMPDIR: join(sandbox, 'tmp'),
}

function runPds(...args: string[]) {
  const result = Bun.spawnSync(['./pds', ...args], { cwd: workDir, env, stdout: 'pipe', stderr: 'pipe' })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

beforeAll(async () => {
  const binary = await ensureBinary()
  for (const dir of [workDir, env.PATH, env.HOME, env.TMPDIR]) mkdirSync(dir, { recursive: true })
  copyFileSync(binary, join(workDir, 'pds'))
  expect(readdirSync(workDir)).toEqual(['pds'])
}, 300_000)

afterAll(() => rmSync(sandbox, { recursive: true, force: true }))

describe('dist/pds copied alone into an empty directory', () => {
  test('--version and --help exit 0', () => {
    const version = runPds('--version')
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const help = runPds('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: pds')
  })

  test('doctor loads the embedded sharp, processes an image and opens SQLite', () => {
    const doctor = runPds('doctor')
    expect(doctor.stderr).toBe('')
    expect(doctor.stdout).toMatch(/^sharp\s+OK\s+libvips [\d.]+: resized 64x48 png to 32x24 jpeg$/m)
    expect(doctor.stdout).toMatch(/^sqlite\s+OK\s+SQLite 3\./m)
    expect(doctor.code).toBe(0)
    // The addon was unpacked under XDG_CACHE_HOME with libvips where its RPATH looks.
    const [unpacked] = readdirSync(join(cacheDir, 'pds'))
    expect(unpacked).toMatch(/^sharp-linux-x64-[0-9a-f]{16}$/)
    const libvips = readdirSync(join(cacheDir, 'pds', unpacked!, 'sharp-libvips-linux-x64/lib'))
    expect(libvips.some((name) => name.startsWith('libvips-cpp.so'))).toBe(true)
  })

  test('doctor --image decodes and thumbnails a real file', async () => {
    const sharp = await loadSharp()
    const photo = join(sandbox, 'photo.jpg')
    const pixels = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } })
      .jpeg()
      .toBuffer()
    writeFileSync(photo, pixels)
    const doctor = runPds('doctor', '--image', photo)
    expect(doctor.stdout).toContain(`${photo}: 300x200 jpeg, thumbnail 100x67 webp`)
    expect(doctor.code).toBe(0)
  })

  test('doctor exits non-zero when a check fails', () => {
    const doctor = runPds('doctor', '--image', join(sandbox, 'missing.png'))
    expect(doctor.stdout).toMatch(/^image\s+FAIL\s+/m)
    expect(doctor.code).not.toBe(0)
  })
})
