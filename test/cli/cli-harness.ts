// Runs the compiled `dist/pds` as an operator would, with a clean PDS_* environment.
// (PDS_TEST_CLI_FROM_SOURCE=1 runs `bun cli/main.ts` instead, for quick iteration.)
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensureBinary } from '../helpers/binary.ts'

export const CLI = resolve(import.meta.dir, '../../cli/main.ts')

export type CliRun = { code: number; stdout: string; stderr: string; json<T = any>(): T }

let command: Promise<string[]> | undefined
function pdsCommand(): Promise<string[]> {
  return (command ??= process.env.PDS_TEST_CLI_FROM_SOURCE ? Promise.resolve([process.execPath, CLI]) : ensureBinary().then((bin) => [bin]))
}

/** An empty working directory: a ./pds.env or ./pds-data in the checkout must not change what a test sees. */
let emptyCwd: string | undefined
export function emptyDirectory(): string {
  return (emptyCwd ??= mkdtempSync(join(tmpdir(), 'pds-cli-cwd-')))
}

export async function pds(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_')))
  const proc = Bun.spawn([...(await pdsCommand()), ...args], {
    cwd: opts.cwd ?? emptyDirectory(),
    env: { ...cleanEnv, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr, json: () => JSON.parse(stdout) }
}
