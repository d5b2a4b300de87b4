// The compiled dist/pds for tests: built once (only when missing or older than the sources), or a
// prebuilt one named by PDS_TEST_BINARY (e.g. a release artifact).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dir, '../..')
const SOURCE_PATHS = ['cli', 'src', 'scripts', 'migrations', 'lexicons', 'package.json', 'bun.lock', 'tsconfig.json']

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

export async function ensureBinary(): Promise<string> {
  if (process.env.PDS_TEST_BINARY) return process.env.PDS_TEST_BINARY
  const binary = join(root, 'dist/pds')
  const sourcesChanged = Math.max(...SOURCE_PATHS.map((p) => newestMtime(join(root, p))))
  if (existsSync(binary) && statSync(binary).mtimeMs >= sourcesChanged) return binary
  const build = Bun.spawn([process.execPath, 'scripts/build.ts'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited])
  if (code !== 0) throw new Error(`build failed (${code}):\n${stdout}\n${stderr}`)
  return binary
}
