// The compiled binary, copied alone to an empty directory, as a new operator runs it:
// `pds init --yes` then `pds serve`, and `pds serve` with no configuration at all (dev mode with /_plc).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar } from '@atproto/repo'
import { freePort } from '../helpers/server.ts'
import { ensureBinary } from '../helpers/binary.ts'

const sandbox = mkdtempSync(join(tmpdir(), 'pds-binary-serve-'))
const workDir = join(sandbox, 'run')
const env = { PATH: join(sandbox, 'empty-bin'), HOME: join(sandbox, 'home'), XDG_CACHE_HOME: join(sandbox, 'cache'), TMPDIR: join(sandbox, 'tmp') }

beforeAll(async () => {
  const binary = await ensureBinary()
  for (const dir of [workDir, env.PATH, env.HOME, env.TMPDIR]) mkdirSync(dir, { recursive: true })
  copyFileSync(binary, join(workDir, 'pds'))
}, 300_000)
afterAll(() => rmSync(sandbox, { recursive: true, force: true }))

async function serve(args: string[], extraEnv: Record<string, string> = {}) {
  const proc = Bun.spawn(['./pds', 'serve', ...args], { cwd: workDir, env: { ...env, LOG_LEVEL: 'error', ...extraEnv }, stdout: 'pipe', stderr: 'pipe' })
  const port = Number(extraEnv.PDS_PORT ?? args[args.indexOf('--port') + 1])
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`pds serve exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`)
    if (i > 400) throw new Error('pds serve never became healthy')
    try {
      if ((await fetch(`${url}/xrpc/_health`)).ok) break
    } catch {}
    await Bun.sleep(25)
  }
  return { proc, url }
}

describe('dist/pds serve', () => {
  test('init --yes writes a pds.env that serve starts from', async () => {
    const dataDir = join(sandbox, 'x')
    const init = Bun.spawnSync(['./pds', 'init', '--yes', '--hostname', 'pds.example.com', '--data-dir', dataDir], { cwd: workDir, env })
    expect(init.exitCode).toBe(0)
    const port = await freePort()
    const { proc, url } = await serve(['--data-dir', dataDir, '--port', String(port)])
    try {
      const res = await fetch(`${url}/xrpc/com.atproto.server.describeServer`)
      expect(((await res.json()) as { did: string }).did).toBe('did:web:pds.example.com')
    } finally {
      proc.kill('SIGTERM')
      expect(await proc.exited).toBe(0)
    }
  })

  test('with no configuration: a dev server whose own PLC directory lets accounts be created offline', async () => {
    const port = await freePort()
    const { proc, url } = await serve([], { PDS_PORT: String(port) })
    try {
      const agent = new AtpAgent({ service: url })
      await agent.createAccount({ email: 'new@example.com', handle: 'newbie.test', password: 'a-good-password' })
      expect(agent.session?.did).toStartWith('did:plc:')
      const doc = (await (await fetch(`${url}/_plc/${agent.session!.did}`)).json()) as { alsoKnownAs: string[] }
      expect(doc.alsoKnownAs).toEqual(['at://newbie.test'])
      const post = await agent.post({ text: 'hello from a single binary' })
      expect(post.uri).toContain(agent.session!.did)
      // Commits signed with pooled nonces (src/services/repo/nonce-pool.ts): the repo verifies.
      for (let i = 0; i < 5; i++) await agent.post({ text: `post ${i}` })
      const { data: car } = await agent.com.atproto.sync.getRepo({ did: agent.session!.did })
      const signingKey = ((await (await fetch(`${url}/_plc/${agent.session!.did}/data`)).json()) as { verificationMethods: { atproto: string } }).verificationMethods.atproto
      expect((await verifyRepoCar(car, agent.session!.did, signingKey)).creates.length).toBe(6)
      // a firehose subscriber must not keep the server from shutting down
      const ws = new WebSocket(`${url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos?cursor=0`)
      const first = new Promise((resolve) => (ws.onmessage = resolve))
      await first
      proc.kill('SIGTERM')
      const code = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => 'hung')])
      expect(code).toBe(0)
    } finally {
      proc.kill('SIGKILL')
    }
  })
})
