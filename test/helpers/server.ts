// Starts the real server (the same path as `pds serve`) on a free loopback port with a temp data dir.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig, type Config } from '../../src/config/config.ts'
import { startServer, type RunningServer } from '../../src/main.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import type { AuthVerifier } from '../../src/xrpc/auth.ts'

// Strong enough for a non-dev server (startup refuses weak secrets outside dev mode).
export const TEST_ADMIN_PASSWORD = 'admin-pass-7f3c9a1e5b2d8046c1e9a7b3f5d2c8e4'

export async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

export type TestServer = RunningServer & { config: Config; dataDir: string; adminAuth: string; close(): Promise<void> }

export function testEnv(dataDir: string, port: number, env: Record<string, string> = {}): Record<string, string> {
  return {
    PDS_HOSTNAME: 'localhost',
    PDS_PORT: String(port),
    PDS_DATA_DIRECTORY: dataDir,
    PDS_DEV_MODE: 'true',
    PDS_JWT_SECRET: 'test-jwt-secret-4b8e2f6a1c9d7e3f5a0b2c4d6e8f1a3b',
    PDS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: '5ad0b1a5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c',
    PDS_RATE_LIMITS_ENABLED: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  }
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pds-test-'))
  const port = await freePort()
  const config = buildConfig(testEnv(dataDir, port, env))
  const server = await startServer(config, { hostname: '127.0.0.1', shutdownGraceMs: 1000 })
  return {
    ...server,
    config,
    dataDir,
    adminAuth: 'Basic ' + Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64'),
    async close() {
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

const CLI = join(import.meta.dir, '../../cli/main.ts')

/** `pds serve` as its own process (kill -9 tests), on a data directory whose pds.env is written; ready when healthy. */
export async function spawnServe(dataDir: string, port: number) {
  const proc = Bun.spawn([process.execPath, CLI, 'serve', '--data-dir', dataDir, '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error' },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 400; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    if (await fetch(`${url}/xrpc/_health`).then((r) => r.ok, () => false)) return { proc, url }
    await Bun.sleep(50)
  }
  throw new Error('server did not start')
}

/**
 * A test server whose repo handlers can run before and apart from accounts: a stand-in verifier takes
 * every token as an access token of `did`, and `did` has an empty repo.
 */
export async function startStandInRepoServer(did: string): Promise<TestServer> {
  const server = await startTestServer()
  const standIn: AuthVerifier = async (kind) => (kind === 'none' ? { type: 'none' } : { type: 'access', did, scope: 'com.atproto.access', isPrivileged: true })
  server.services.verifyAuth = standIn
  ;(server.services as { accounts?: unknown }).accounts = undefined
  await server.services.repo.createRepo(did, Secp256k1Keypair.create())
  return server
}
