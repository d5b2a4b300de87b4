// The operator's first hour (issue 15), each trap reproduced against the compiled dist/pds: one server
// per data directory, a taken port, configuration found where operators keep it, one-line errors,
// stop signals, account commands that take any name for an account, exit codes and --json.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:net'
import { formatEnvFile } from '../../src/config/env.ts'
import { ensureBinary } from '../helpers/binary.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { pds } from './cli-harness.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-traps-'))
let binary: string
const running: Bun.Subprocess[] = []
beforeAll(async () => {
  binary = await ensureBinary()
}, 300_000)
afterAll(() => {
  for (const proc of running) proc.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PDS_'))) as Record<string, string>

/** A data directory with a development pds.env on a free port. */
async function dataDir(name: string, extra: Record<string, string> = {}) {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  writeFileSync(join(dir, 'pds.env'), formatEnvFile(testEnv(dir, port, extra)), { mode: 0o600 })
  return { dir, port, url: `http://127.0.0.1:${port}` }
}

type Served = { proc: Bun.Subprocess<'ignore', 'ignore', 'pipe'>; stderr: () => string; exited: Promise<number> }

/** `pds serve` with its stderr collected as it comes. */
function serve(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Served {
  const proc = Bun.spawn([binary, 'serve', ...args], {
    cwd: opts.cwd ?? work,
    env: { ...cleanEnv(), LOG_LEVEL: 'error', ...opts.env },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  running.push(proc)
  let text = ''
  const decoder = new TextDecoder()
  const drained = (async () => {
    for await (const chunk of proc.stderr) text += decoder.decode(chunk)
  })()
  return { proc, stderr: () => text, exited: drained.then(() => proc.exited) }
}

async function healthy(served: Served, url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (served.proc.exitCode !== null) throw new Error(`pds serve exited ${served.proc.exitCode}: ${served.stderr()}`)
    try {
      if ((await fetch(`${url}/xrpc/_health`)).ok) return
    } catch {}
    await Bun.sleep(25)
  }
  throw new Error(`never healthy: ${served.stderr()}`)
}

async function waitFor(what: () => boolean, message: () => string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error(message())
    await Bun.sleep(20)
  }
}

/** The address a port listens on, from /proc/net/tcp: "0100007F" is 127.0.0.1, "00000000" any. */
function listenAddress(port: number): string | undefined {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port) return cols[1]!.split(':')[0]
  }
  return undefined
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean)

describe('one server per data directory', () => {
  test('a second serve on the same directory is refused naming the first; restore is refused whatever PDS_PORT says; kill -9 frees the lock', async () => {
    const d = await dataDir('locked')
    const first = serve(['--data-dir', d.dir, '--port', String(d.port)])
    await healthy(first, d.url)

    const otherPort = await freePort()
    const second = serve(['--data-dir', d.dir, '--port', String(otherPort)])
    expect(await second.exited).toBe(3)
    expect(lines(second.stderr()).at(-1)).toMatch(new RegExp(`^pds: data directory ${d.dir} is in use by pid ${first.proc.pid} \\(pds serve, since `))
    expect(listenAddress(otherPort)).toBeUndefined()
    // The refused server did not touch the running one's marker.
    expect(existsSync(join(d.dir, '.pds-running'))).toBe(true)

    const backup = await pds(['backup', 'create', '--data-dir', d.dir, '--json'])
    expect(backup.code).toBe(0)
    const restore = await pds(['backup', 'restore', backup.json().path, '--data-dir', d.dir, '--force', '--yes'], { env: { PDS_PORT: String(otherPort) } })
    expect(restore.code).toBe(3)
    expect(restore.stderr).toContain(`a server is running on ${d.dir} (pid ${first.proc.pid}`)
    expect((await fetch(`${d.url}/xrpc/_health`)).ok).toBe(true)

    first.proc.kill('SIGKILL')
    await first.exited
    const again = serve(['--data-dir', d.dir, '--port', String(d.port)])
    await healthy(again, d.url)
    again.proc.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  }, 60_000)

  test('a taken port fails with one line naming the process that holds it, and is never shared', async () => {
    const d = await dataDir('port-taken')
    const holder = Bun.listen({ hostname: '127.0.0.1', port: d.port, socket: { data() {} } })
    try {
      const served = serve(['--data-dir', d.dir])
      expect(await served.exited).toBe(3)
      expect(lines(served.stderr()).at(-1)).toMatch(new RegExp(`^pds: port ${d.port} is in use by pid ${process.pid} \\(.+\\); stop it, or pick another port`))
      expect(served.stderr()).not.toContain('    at ')
      expect(existsSync(join(d.dir, '.pds-running'))).toBe(false)
    } finally {
      holder.stop(true)
    }
  }, 30_000)
})

describe('configuration found where operators keep it', () => {
  test('serve and operator commands in a folder holding pds.env use it, say so first, and report bad lines', async () => {
    const folder = join(work, 'operator-folder')
    mkdirSync(folder)
    const port = await freePort()
    const env = formatEnvFile(testEnv(join(folder, 'data'), port))
    writeFileSync(join(folder, 'pds.env'), `${env}PDS_INVITE_REQUIRED true\nPDS_INVTE_REQUIRED=true\n`, { mode: 0o600 })
    const envLines = env.trim().split('\n').length
    const served = serve([], { cwd: folder })
    await healthy(served, `http://127.0.0.1:${port}`)
    const said = lines(served.stderr())
    expect(said[0]).toBe(`pds: configuration ${join(folder, 'pds.env')} (from ./pds.env)`)
    expect(said).toContain(`pds: warning: ${join(folder, 'pds.env')} line ${envLines + 1}: "PDS_INVITE_REQUIRED true" is not NAME=value; ignored`)
    expect(said).toContain(
      `pds: warning: ${join(folder, 'pds.env')} line ${envLines + 2}: unknown setting PDS_INVTE_REQUIRED (did you mean PDS_INVITE_REQUIRED?); ignored`,
    )
    expect(existsSync(join(folder, 'pds-data'))).toBe(false)

    const status = await pds(['status'], { cwd: folder })
    expect(status.code).toBe(0)
    expect(lines(status.stderr)[0]).toBe(`pds: configuration ${join(folder, 'pds.env')} (from ./pds.env)`)
    served.proc.kill('SIGTERM')
    expect(await served.exited).toBe(0)
  }, 30_000)

  test('the development server listens on loopback only; a production setup on every address', async () => {
    const empty = join(work, 'dev-empty')
    mkdirSync(empty)
    const port = await freePort()
    const dev = serve([], { cwd: empty, env: { PDS_PORT: String(port) } })
    await healthy(dev, `http://127.0.0.1:${port}`)
    expect(listenAddress(port)).toBe('0100007F')
    expect(dev.stderr()).toContain('reachable from this machine only')
    dev.proc.kill('SIGTERM')
    expect(await dev.exited).toBe(0)

    const prod = await dataDir('production', { PDS_DEV_MODE: 'false', PDS_HOSTNAME: 'pds.example.com', PDS_DID_PLC_URL: 'http://127.0.0.1:9' })
    const served = serve(['--data-dir', prod.dir])
    await healthy(served, prod.url)
    expect(listenAddress(prod.port)).toBe('00000000')
    served.proc.kill('SIGTERM')
    expect(await served.exited).toBe(0)
  }, 30_000)
})

describe('errors a person can act on', () => {
  test('a database that cannot be opened is named in one line, without a stack trace', async () => {
    const d = await dataDir('cantopen')
    const blocker = join(d.dir, 'a-folder-not-a-file')
    mkdirSync(blocker)
    const served = serve(['--data-dir', d.dir], { env: { PDS_ACCOUNT_DB_LOCATION: blocker } })
    expect(await served.exited).toBe(1)
    const last = lines(served.stderr()).at(-1)!
    expect(last).toStartWith(`pds: cannot open the database ${blocker}: its folder must exist and be writable by `)
    expect(served.stderr()).not.toContain('    at ')
  }, 30_000)

  test('request-crawl says what the relay answered when it refuses; --json too', async () => {
    const relay = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => Response.json({ error: 'InvalidRequest', message: 'host is banned' }, { status: 400 }),
    })
    try {
      const url = `http://127.0.0.1:${relay.port}`
      const human = await pds(['request-crawl', url, '--hostname', 'pds.example.com', '--attempts', '1'])
      expect(human.code).toBe(1)
      expect(human.stdout.trim()).toBe(`refused ${url}: 400 InvalidRequest: host is banned`)
      const json = await pds(['request-crawl', url, '--hostname', 'pds.example.com', '--attempts', '1', '--json'])
      expect(json.json()).toEqual({ ok: false, relays: [{ relay: url, ok: false, status: 400, message: 'InvalidRequest: host is banned' }] })
    } finally {
      relay.stop(true)
    }
  }, 30_000)

  test('request-crawl names a relay that is no URL or hostname, before asking any', async () => {
    const res = await pds(['request-crawl', 'bsky.network', 'not a host', '--hostname', 'pds.example.com'])
    expect(res.code).toBe(2)
    expect(res.stderr.trim()).toBe('pds: "not a host" is not a relay URL or hostname (e.g. bsky.network)')
  })
})

describe('stop signals', () => {
  test('a second signal while stopping is acknowledged, a third closes connections now; the stop stays clean', async () => {
    const d = await dataDir('signals')
    const served = serve(['--data-dir', d.dir])
    await healthy(served, d.url)
    const ws = new WebSocket(`${d.url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos`)
    await new Promise((resolve) => (ws.onopen = resolve))
    // A request whose body never finishes keeps the graceful stop waiting (grace period: 10 s).
    const stalled = connect(d.port, '127.0.0.1')
    await new Promise((resolve) => stalled.once('connect', resolve))
    stalled.write('POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{')
    await Bun.sleep(200)

    const started = Date.now()
    served.proc.kill('SIGINT')
    served.proc.kill('SIGINT') // the same Ctrl-C arriving twice (terminal and npm): one request
    await waitFor(
      () => served.stderr().includes('SIGINT received, stopping'),
      () => served.stderr(),
    )
    await Bun.sleep(500)
    expect(served.proc.exitCode).toBeNull()
    served.proc.kill('SIGTERM')
    await waitFor(
      () => served.stderr().includes('still stopping'),
      () => served.stderr(),
    )
    await Bun.sleep(500)
    expect(served.proc.exitCode).toBeNull()
    served.proc.kill('SIGINT')
    expect(await served.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(8_000)
    expect(served.stderr()).toContain('closing open connections now')
    expect(served.stderr().match(/still stopping/g)).toHaveLength(1)
    expect(served.stderr()).toContain('pds: stopped')
    expect(existsSync(join(d.dir, '.pds-running'))).toBe(false)
    // SQLite removes a WAL file when its last connection closes: the databases were closed.
    for (const db of ['account.sqlite', 'sequencer.sqlite']) expect(existsSync(join(d.dir, `${db}-wal`))).toBe(false)
    stalled.destroy()
    ws.close()
  }, 30_000)
})

describe('account commands', () => {
  let d: Awaited<ReturnType<typeof dataDir>>
  let server: Served
  let did: string
  beforeAll(async () => {
    d = await dataDir('accounts')
    server = serve(['--data-dir', d.dir])
    await healthy(server, d.url)
    const created = await pds(['account', 'create', 'alice@example.com', 'alice', '--password', 'alice-password-1', '--data-dir', d.dir, '--json'])
    expect(created.code).toBe(0)
    did = created.json().did
  }, 30_000)
  afterAll(async () => {
    server.proc.kill('SIGTERM')
    await server.exited
  })

  test('takedown/untakedown/reset-password take a short handle, a full handle (also of a taken-down account), an email or a DID', async () => {
    const down = await pds(['account', 'takedown', 'alice', '--data-dir', d.dir, '--json'])
    expect(down.code).toBe(0)
    expect(down.json()).toMatchObject({ did, takedown: { applied: true } })
    // Network handle resolution fails for a taken-down account; the account database does not.
    const up = await pds(['account', 'untakedown', 'alice.test', '--data-dir', d.dir, '--json'])
    expect(up.code).toBe(0)
    expect(up.json()).toEqual({ did, takedown: { applied: false } })
    const byEmail = await pds(['account', 'takedown', 'Alice@Example.com', '--data-dir', d.dir, '--json'])
    expect(byEmail.json().did).toBe(did)
    expect((await pds(['account', 'untakedown', did, '--data-dir', d.dir])).code).toBe(0)
    const reset = await pds(['account', 'reset-password', '@alice.test', '--data-dir', d.dir, '--json'])
    expect(reset.code).toBe(0)
    expect(reset.json().did).toBe(did)
    const missing = await pds(['account', 'takedown', 'bob', '--data-dir', d.dir])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no account with handle bob.test on this server')
  }, 30_000)

  test('delete: Enter at the confirmation keeps the account (the answer defaults to No)', async () => {
    if (!Bun.which('tmux')) throw new Error('tmux is required for this test (apt-get install tmux; npm test installs it as root)')
    const session = `pds-delete-${process.pid}`
    const tmux = (...args: string[]) => Bun.spawnSync(['tmux', ...args]).stdout.toString()
    const marker = join(work, 'delete-exit')
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '30',
      '-c',
      work,
      `${binary} account delete alice --data-dir ${d.dir}; echo $? > ${marker}; sleep 30`,
    )
    try {
      await waitFor(
        () => tmux('capture-pane', '-p', '-t', session).includes('Delete alice.test'),
        () => tmux('capture-pane', '-p', '-t', session),
      )
      tmux('send-keys', '-t', session, 'Enter')
      await waitFor(
        () => existsSync(marker) && readFileSync(marker, 'utf8').trim() !== '',
        () => tmux('capture-pane', '-p', '-t', session),
      )
      expect(readFileSync(marker, 'utf8').trim()).toBe('3')
      expect(tmux('capture-pane', '-p', '-t', session)).toContain('cancelled; nothing was deleted')
    } finally {
      Bun.spawnSync(['tmux', 'kill-session', '-t', session])
    }
    const list = await pds(['account', 'list', '--data-dir', d.dir, '--json'])
    expect(list.json().accounts.map((a: { did: string }) => a.did)).toEqual([did])
  }, 30_000)

  test('export --out creates the folders it names', async () => {
    const out = join(work, 'exports', '2026', 'alice.car')
    const res = await pds(['export', 'alice.test', '--out', out, '--data-dir', d.dir, '--json'])
    expect(res.code).toBe(0)
    expect(res.json()).toMatchObject({ ok: true, did, out })
    expect(existsSync(out)).toBe(true)
  }, 30_000)
})

describe('exit codes and --json as the README says', () => {
  test('usage errors exit 2, refusals 3; init --json', async () => {
    expect((await pds(['account', 'takedown'])).code).toBe(2)
    expect((await pds(['backup', 'create', '--no-such-flag'])).code).toBe(2)
    expect((await pds(['init', '--json', '--hostname', 'pds.example.com', '--data-dir', join(work, 'init')])).code).toBe(2)
    const noTerminal = await pds(['init', '--hostname', 'pds.example.com', '--data-dir', join(work, 'init')])
    expect(noTerminal.code).toBe(2)
    expect(noTerminal.stderr).toContain('no terminal to ask questions on')
    const noHost = await pds(['init', '--yes', '--data-dir', join(work, 'init')])
    expect(noHost.code).toBe(2)
    expect(noHost.stderr).toContain('--hostname is required')
    const init = await pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', join(work, 'init'), '--json'])
    expect(init.code).toBe(0)
    expect(init.json()).toEqual({
      ok: true,
      envFile: join(work, 'init', 'pds.env'),
      dataDirectory: join(work, 'init'),
      hostname: 'pds.example.com',
      inviteRequired: true,
    })
    const again = await pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', join(work, 'init'), '--json'])
    expect(again.code).toBe(3)
    expect(again.json()).toMatchObject({ ok: false, exitCode: 3 })
    const written = readFileSync(join(work, 'init', 'pds.env'), 'utf8')
    expect(written).toContain(`PDS_BLOBSTORE_DISK_LOCATION=${join(work, 'init', 'blobs')}`)
    expect(written).toContain('PDS_INVITE_REQUIRED=true')
  }, 30_000)
})

describe('install.sh --systemd', () => {
  const script = join(import.meta.dir, '../../install.sh')
  const run = (args: string[], extraEnv: Record<string, string>) =>
    Bun.spawnSync(['sh', script, '--binary', binary, ...args], { env: { ...cleanEnv(), ...extraEnv }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })

  test('installs the service with `pds install-service` (the hardened unit), after pds init', async () => {
    const base = join(work, 'install')
    const env = { PDS_SYSTEMD_UNIT_DIR: join(base, 'units'), PDS_CADDYFILE: join(base, 'Caddyfile.pds') }
    const dataDir = join(base, 'data')
    const args = ['--prefix', join(base, 'prefix'), '--systemd', '--data-dir', dataDir]
    const early = run(args, env)
    expect(early.exitCode).toBe(3)
    expect(early.stderr.toString()).toContain(`${dataDir}/pds.env does not exist; create it first: ${join(base, 'prefix/bin/pds')} init --yes`)
    expect((await pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', dataDir])).code).toBe(0)
    const res = run(args, env)
    expect(res.exitCode).toBe(0)
    const unit = readFileSync(join(base, 'units', 'pds.service'), 'utf8')
    expect(unit).toContain('Written by `pds install-service`')
    expect(unit).toContain(`ExecStart=${join(base, 'prefix/bin/pds')} serve --data-dir ${dataDir}`)
    expect(unit).toContain('ProtectSystem=strict')
    expect(unit).toContain('User=pds')
    expect(readFileSync(env.PDS_CADDYFILE, 'utf8')).toContain('reverse_proxy http://127.0.0.1:2583')
    expect(res.stdout.toString()).toContain('nothing was enabled or started')
  }, 60_000)
})
