// Runs `bun cli/main.ts ...` as an operator would, with a clean PDS_* environment.
import { resolve } from 'node:path'

export const CLI = resolve(import.meta.dir, '../../cli/main.ts')

export type CliRun = { code: number; stdout: string; stderr: string; json<T = any>(): T }

export async function pds(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_')))
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: opts.cwd,
    env: { ...cleanEnv, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr, json: () => JSON.parse(stdout) }
}
