// The reference PDS (@atproto/pds, a devDependency) as a strict peer for the interop tests: a Node 22
// child process on a loopback port with a temp data dir, using our test PLC directory and an SMTP
// sink. Start it once per test file (about 2-4 s) and stop it in afterAll.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from './server.ts'

const root = resolve(import.meta.dir, '../..')
const NODE22 = join(root, 'node_modules/.bin/node')
export const REFERENCE_ADMIN_PASSWORD = 'reference-admin-pass'

export type ReferencePds = {
  url: string
  port: number
  /** The reference's own service DID (the `aud` of service-auth tokens meant for it). */
  did: string
  dataDir: string
  adminAuth: string
  /** What the process printed on stderr (for failure messages). */
  stderr(): string
  stop(): Promise<void>
}

let prepared: Promise<void> | undefined

/** Builds better-sqlite3 for Node 22 when `bun test` runs without `npm test`'s set-up step. */
function prepare(): Promise<void> {
  prepared ??= (async () => {
    const setup = Bun.spawn(['sh', join(root, 'scripts/ensure-reference-pds.sh')], { stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(setup.stdout).text(), new Response(setup.stderr).text(), setup.exited])
    if (code !== 0) throw new Error(`the reference PDS cannot run here (scripts/ensure-reference-pds.sh):\n${out}${err}`)
  })()
  return prepared
}

export async function startReferencePds(opts: {
  plcUrl: string
  smtpUrl?: string
  env?: Record<string, string>
  /** An existing data directory to serve (kept on stop); a temp one (removed on stop) when absent. */
  dataDir?: string
  port?: number
  /** A loopback DNS server ("127.0.0.1:port", test/helpers/dns.ts) the reference asks as its backup nameserver. */
  dnsServer?: string
}): Promise<ReferencePds> {
  await prepare()
  const ownDir = !opts.dataDir
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pds-reference-'))
  const port = opts.port ?? (await freePort())
  const did = `did:web:localhost%3A${port}`
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dataDir,
    PDS_HOSTNAME: 'localhost',
    PDS_PORT: String(port),
    PDS_SERVICE_DID: did,
    PDS_DEV_MODE: 'true',
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: join(dataDir, 'blobs'),
    PDS_JWT_SECRET: 'reference-jwt-secret',
    PDS_ADMIN_PASSWORD: REFERENCE_ADMIN_PASSWORD,
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: '3a1f0c9e8d7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877',
    // the reference's fetch refuses IP-literal hosts: name loopback by name
    PDS_DID_PLC_URL: opts.plcUrl.replace('//127.0.0.1:', '//localhost:'),
    PDS_INVITE_REQUIRED: 'false',
    PDS_RATE_LIMITS_ENABLED: 'false',
    PDS_CRAWLERS: '',
    ...(opts.smtpUrl ? { PDS_EMAIL_SMTP_URL: opts.smtpUrl, PDS_EMAIL_FROM_ADDRESS: 'reference@localhost' } : {}),
    ...(opts.dnsServer ? { PDS_HANDLE_BACKUP_NAMESERVERS: '127.0.0.1', TEST_DNS_SERVER: opts.dnsServer } : {}),
    ...opts.env,
  }
  const child = Bun.spawn([NODE22, join(import.meta.dir, 'reference-pds-main.mjs')], {
    cwd: root,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let stderr = ''
  void (async () => {
    for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk)
  })()
  const ready = (async () => {
    let out = ''
    for await (const chunk of child.stdout) {
      out += new TextDecoder().decode(chunk)
      if (/listening \d+\n/.test(out)) return
    }
    throw new Error('exited')
  })()
  try {
    await Promise.race([ready, Bun.sleep(60_000).then(() => Promise.reject(new Error('timed out')))])
  } catch (err) {
    child.kill('SIGKILL')
    await child.exited
    if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    throw new Error(`the reference PDS did not start (${(err as Error).message}):\n${stderr}`)
  }
  const url = `http://localhost:${port}`
  return {
    url,
    port,
    did,
    dataDir,
    adminAuth: 'Basic ' + Buffer.from(`admin:${REFERENCE_ADMIN_PASSWORD}`).toString('base64'),
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM')
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
      if (!exited) {
        child.kill('SIGKILL')
        await child.exited
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
