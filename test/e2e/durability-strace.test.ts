// Acknowledged means on stable storage: the compiled server runs under `strace -f`, and for one
// createRecord, one applyWrites and one uploadBlob + createRecord the trace must show every write to a
// durable file (the actor store's WAL, blob files, the names of new files and folders) followed by an
// fsync/fdatasync of that file or folder before the first byte of the HTTP response. Two files a
// repo write also changes are written before the response but synced just after it: account.sqlite's
// copy of the repo head and the firehose event in sequencer.sqlite. Both are rebuilt from the actor
// store after a power loss (test/e2e/power-loss-recovery.test.ts), and the event is sent to no one
// before its sync. A second run with PDS_SQLITE_SYNCHRONOUS=normal shows the check notices when the
// syncs are missing.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBinary } from '../helpers/binary.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { readTrace, responseIndex, straceCommand, unsyncedBefore, filesIn, type TraceEvent } from '../helpers/strace.ts'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

type Session = { did: string; accessJwt: string }

async function traced(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pds-strace-'))
  dirs.push(dir)
  const dataDir = join(dir, 'data')
  const traceFile = join(dir, 'trace.txt')
  const port = await freePort()
  const binary = await ensureBinary()
  const proc = Bun.spawn(straceCommand(traceFile, [binary, 'serve']), {
    env: { ...process.env, ...testEnv(dataDir, port, { LOG_LEVEL: 'error', ...env }) },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`strace/pds exited with ${proc.exitCode} (is strace installed? scripts/ensure-test-tools.sh)`)
    if (await fetch(`${url}/xrpc/_health`).then((r) => r.ok, () => false)) break
    if (i > 400) throw new Error('server under strace did not start')
    await Bun.sleep(50)
  }
  const call = async <T>(nsid: string, body: unknown, auth?: Session, contentType = 'application/json'): Promise<T> => {
    const res = await fetch(`${url}/xrpc/${nsid}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(auth ? { authorization: `Bearer ${auth.accessJwt}` } : {}) },
      body: body instanceof Uint8Array ? body : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${nsid} ${res.status}: ${await res.text()}`)
    return (await res.json()) as T
  }
  return {
    dataDir,
    call,
    /** Stops the server (strace's child) and returns the trace. */
    async stop(): Promise<TraceEvent[]> {
      const children = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).map(Number)
      for (const pid of children) process.kill(pid, 'SIGTERM')
      await proc.exited
      return readTrace(traceFile)
    },
  }
}

/** The writes a client makes: one createRecord, one applyWrites, one uploadBlob then a post using it. */
async function writeScenario(server: Awaited<ReturnType<typeof traced>>) {
  const user = await server.call<Session>('com.atproto.server.createAccount', { handle: 'strace.test', email: 'strace@example.com', password: 'strace-password' })
  const post = (text: string, extra: object = {}) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), ...extra })
  const created = await server.call<{ uri: string }>('com.atproto.repo.createRecord', { repo: user.did, collection: 'app.bsky.feed.post', record: post('one') }, user)
  const applied = await server.call<{ results: Array<{ uri: string }> }>(
    'com.atproto.repo.applyWrites',
    {
      repo: user.did,
      writes: [
        { $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: post('two') },
        { $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: post('three') },
      ],
    },
    user,
  )
  // 64 KB that sniff as PNG (the thumb must be an image; its pixels do not matter here).
  const bytes = new Uint8Array(64 * 1024).map((_, i) => (i * 7) % 256)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const { blob } = await server.call<{ blob: { ref: { $link: string }; mimeType: string; size: number } }>('com.atproto.repo.uploadBlob', bytes, user, 'image/png')
  const embed = { $type: 'app.bsky.embed.external', external: { uri: 'https://example.com', title: 't', description: 'd', thumb: { $type: 'blob', ...blob } } }
  const withBlob = await server.call<{ uri: string }>('com.atproto.repo.createRecord', { repo: user.did, collection: 'app.bsky.feed.post', record: post('four', { embed }) }, user)
  // Each step is found in the trace by a string its response carries.
  return { did: user.did, steps: [['createRecord', created.uri], ['applyWrites', applied.results[0]!.uri], ['uploadBlob', blob.ref.$link], ['createRecord with the blob', withBlob.uri]] as const, blobCid: blob.ref.$link }
}

/**
 * Files whose content must be durable: all but SQLite main files (written only by checkpoints, from the
 * synced WAL), -shm indexes, caches, and the data-directory lock (it names a live process).
 */
const durableIn = (dataDir: string) => (path: string) =>
  path.startsWith(dataDir + '/') && !/\.sqlite$|-shm$|did_cache\.sqlite|\/plc\.sqlite|\/\.pds-lock$/.test(path) && !rebuiltAfterPowerLoss(dataDir)(path)

/** Written before a repo write's response, synced after it: recovery rebuilds them from the actor store. */
const rebuiltAfterPowerLoss = (dataDir: string) => (path: string) => path === `${dataDir}/account.sqlite-wal` || path === `${dataDir}/sequencer.sqlite-wal`

function checkSteps(events: TraceEvent[], dataDir: string, steps: ReadonlyArray<readonly [string, string]>) {
  const report: Record<string, { unsynced: string[]; written: string[]; unsyncedAtStop: string[] }> = {}
  let from = 0
  for (const [name, marker] of steps) {
    const at = responseIndex(events, marker, from)
    expect(at, `response of ${name} in the trace`).toBeGreaterThan(from)
    const inData = (p: string) => durableIn(dataDir)(p) || rebuiltAfterPowerLoss(dataDir)(p)
    const written = [...filesIn(events, from, at, 'write')].filter(inData).map((p) => p.slice(dataDir.length + 1))
    const relative = (problems: string[]) => problems.map((p) => p.replaceAll(dataDir + '/', ''))
    report[name] = {
      unsynced: relative(unsyncedBefore(events, from, at, durableIn(dataDir))),
      written,
      // What the step wrote to the rebuilt files is synced after its response (by the time of the stop).
      unsyncedAtStop: relative(neverSynced(events, from, at, rebuiltAfterPowerLoss(dataDir))),
    }
    from = at + 1
  }
  return report
}

/** Writes in events[from, to) to files `which` selects that no later sync in the whole trace covers. */
function neverSynced(events: TraceEvent[], from: number, to: number, which: (path: string) => boolean): string[] {
  const problems = events.slice(from, to).flatMap((e) => {
    if (e.kind !== 'write' || !which(e.path)) return []
    return events.some((later) => later.line > e.line && later.kind === 'sync' && later.path === e.path) ? [] : [`write to ${e.path} never synced`]
  })
  return [...new Set(problems)]
}

/** Runs the scenario; the server is stopped whatever happens. */
async function traceScenario(env: Record<string, string> = {}) {
  const server = await traced(env)
  const scenario = writeScenario(server)
  await scenario.catch(() => {})
  const events = await server.stop()
  return { ...(await scenario), events, dataDir: server.dataDir }
}

test('every write is on stable storage before its response: createRecord, applyWrites, uploadBlob + createRecord', async () => {
  const { did, steps, blobCid, events, dataDir } = await traceScenario()
  const report = checkSteps(events, dataDir, steps)
  for (const [name, { unsynced, unsyncedAtStop }] of Object.entries(report)) {
    expect({ name, unsynced }).toEqual({ name, unsynced: [] })
    expect({ name, unsyncedAtStop }).toEqual({ name, unsyncedAtStop: [] })
  }

  // Each commit reached the three databases that must hold it; the blob reached its folder.
  const wal = (file: string) => expect.stringMatching(new RegExp(`${file.replace(/[.]/g, '\\.')}-wal$`))
  for (const name of ['createRecord', 'applyWrites', 'createRecord with the blob']) {
    expect(report[name]!.written).toEqual(expect.arrayContaining([wal(`${did}/store.sqlite`), wal('account.sqlite'), wal('sequencer.sqlite')]))
  }
  expect(report.uploadBlob!.written).toEqual(expect.arrayContaining([wal(`${did}/store.sqlite`), expect.stringMatching(/^blobs\/tmp\//)]))
  const renamed = events.some((e) => e.kind === 'dirent' && e.path === join(dataDir, 'blobs', did, blobCid))
  expect(renamed).toBe(true)
}, 120_000)

test('the check notices missing syncs (PDS_SQLITE_SYNCHRONOUS=normal)', async () => {
  const { steps, events, dataDir } = await traceScenario({ PDS_SQLITE_SYNCHRONOUS: 'normal' })
  const report = checkSteps(events, dataDir, steps)
  const unsynced = Object.values(report).flatMap((r) => r.unsynced)
  expect(unsynced.some((p) => /-wal not synced$/.test(p))).toBe(true)
}, 120_000)
