// `pds doctor`'s checks of the machine around the server: DNS, TLS front, PLC documents, relays,
// SMTP, disk. Every outside call goes through `deps`, so tests run them on loopback only.
import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from 'node:fs'
import { lookup } from 'node:dns/promises'
import { join } from 'node:path'
import type { Config } from '../../src/config/config.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { atprotoData, type DidDocument } from '../../src/core/did-doc.ts'
import { layoutFromConfig, listActorDirs, listLabelKeyFiles } from '../../src/services/backup/index.ts'
import { keyFilesFor } from '../../src/services/repo/keys.ts'
import { formatSyncMs, measureDiskSyncs, type DiskSyncs } from '../../src/services/health/index.ts'

export type CheckStatus = 'pass' | 'warn' | 'fail'
export type NetworkCheck = { name: string; status: CheckStatus; detail: string; fix?: string }

export type NetworkDeps = {
  /** Addresses for a name; throws (or returns []) when it does not resolve. */
  resolve(hostname: string): Promise<string[]>
  fetch(url: string, init?: RequestInit): Promise<Response>
  /** Opens TCP to host:port and returns the first line the server sends (an SMTP greeting);
   * with waitForLine false, resolves 'connected' as soon as the connection opens. */
  greeting(host: string, port: number, timeoutMs: number, waitForLine?: boolean): Promise<string>
  freeBytes(path: string): number | null
  /** The data disk's sync times (a commit's WAL writes, then fdatasync; src/services/diagnostics.ts). */
  diskSyncs(dir: string): DiskSyncs
}

export const realNetworkDeps: NetworkDeps = {
  resolve: async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address),
  fetch: (url, init) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(5000) }),
  greeting: tcpGreeting,
  freeBytes: (path) => {
    try {
      const s = statfsSync(path)
      return Number(s.bavail) * Number(s.bsize)
    } catch {
      return null
    }
  },
  diskSyncs: (dir) => measureDiskSyncs(dir),
}

const GiB = 1024 ** 3
const MiB = 1024 ** 2

export async function runNetworkChecks(config: Config, envFile: string, deps: NetworkDeps = realNetworkDeps): Promise<NetworkCheck[]> {
  const host = config.service.hostname
  const local = !config.service.publicUrl.startsWith('https://')
  const checks: NetworkCheck[] = []
  const add = async (name: string, run: () => Promise<Omit<NetworkCheck, 'name'>> | Omit<NetworkCheck, 'name'>) => {
    try {
      checks.push({ name, ...(await run()) })
    } catch (err) {
      checks.push({ name, status: 'fail', detail: (err as Error).message.split('\n')[0]! })
    }
  }

  if (local) {
    checks.push({ name: 'dns', status: 'warn', detail: `${host} is a development hostname: DNS, TLS and relay checks skipped` })
  } else {
    await add('dns', async () => {
      const addresses = await deps.resolve(host).catch(() => [])
      return addresses.length
        ? { status: 'pass', detail: `${host} resolves to ${addresses.join(', ')}` }
        : { status: 'fail', detail: `${host} does not resolve`, fix: `add an A (and AAAA) record for ${host} pointing at this machine` }
    })
    await add('https', async () => {
      const url = `https://${host}/xrpc/_health`
      const res = await deps.fetch(url).catch((err: Error) => err)
      if (res instanceof Error) return { status: 'fail', detail: `${url}: ${res.message}`, fix: 'start the TLS proxy (e.g. Caddy, see `pds install-service`) and open ports 80 and 443' }
      return res.ok
        ? { status: 'pass', detail: `${url} answers ${res.status}` }
        : { status: 'fail', detail: `${url} answers ${res.status}`, fix: 'check that the proxy forwards to pds serve on PDS_PORT' }
    })
    for (const domain of config.identity.serviceHandleDomains) {
      await add(`wildcard ${domain}`, async () => {
        const probe = `pds-doctor-${Math.random().toString(36).slice(2, 8)}${domain}`
        const addresses = await deps.resolve(probe).catch(() => [])
        return addresses.length
          ? { status: 'pass', detail: `*${domain} resolves (${probe} → ${addresses[0]})` }
          : { status: 'warn', detail: `*${domain} has no wildcard record`, fix: `add a wildcard record *${domain} like ${host}'s, so handles under ${domain} resolve` }
      })
    }
    for (const relay of config.crawlers) {
      await add(`relay ${new URL(relay).host}`, async () => {
        const res = await deps.fetch(new URL('/xrpc/_health', relay).toString()).catch((err: Error) => err)
        if (res instanceof Error) return { status: 'warn', detail: `${relay}: ${res.message}`, fix: 'check outbound HTTPS from this machine; the relay will not crawl you until it answers' }
        return { status: res.ok ? 'pass' : 'warn', detail: `${relay} answers ${res.status}` }
      })
    }
  }
  await add('plc documents', () => checkPlcDocuments(config, deps))
  if (config.email) await add('smtp', () => checkSmtp(config.email!.smtpUrl, deps))
  await add('disk space', () => {
    const free = deps.freeBytes(config.db.dataDirectory)
    if (free === null) return { status: 'warn', detail: `cannot read free space of ${config.db.dataDirectory}` }
    const detail = `${(free / GiB).toFixed(1)} GiB free in ${config.db.dataDirectory}`
    if (free < 100 * MiB) return { status: 'fail', detail, fix: 'free disk space now: SQLite stops accepting writes when the disk is full' }
    if (free < GiB) return { status: 'warn', detail, fix: 'less than 1 GiB left: free space or grow the disk' }
    return { status: 'pass', detail }
  })
  await add('disk sync', () => {
    if (!existsSync(config.db.dataDirectory)) return { status: 'warn', detail: `cannot time the disk's syncs: ${config.db.dataDirectory} does not exist yet` }
    const syncs = deps.diskSyncs(config.db.dataDirectory)
    const detail = `a commit's fdatasync in ${config.db.dataDirectory}: median ${formatSyncMs(syncs.medianMs)}, slowest ${formatSyncMs(syncs.slowestMs)} (${syncs.count} tries)`
    if (syncs.medianMs <= config.alerts.diskSyncMs) return { status: 'pass', detail: `${detail}; every durable write waits for one` }
    return {
      status: 'warn',
      detail: `${detail}, slower than PDS_ALERT_DISK_SYNC_MS (${config.alerts.diskSyncMs} ms): a client writing one record at a time gets at most ~${Math.floor(1000 / syncs.medianMs)} writes/s`,
      fix: 'every write waits for the disk: a local SSD syncs in well under a millisecond; PDS_SQLITE_SYNCHRONOUS=normal skips the wait but an OS crash or power loss can then drop the newest acknowledged writes',
    }
  })
  await add('permissions', () => checkPermissions(config, envFile))
  return checks
}

/** Each local did:plc names this server as its PDS and our key as its atproto signing key. */
async function checkPlcDocuments(config: Config, deps: NetworkDeps): Promise<Omit<NetworkCheck, 'name'>> {
  const actors = listActorDirs(layoutFromConfig(config).actorStoreDirectory).filter((a) => a.did.startsWith('did:plc:'))
  if (!actors.length) return { status: 'pass', detail: 'no did:plc accounts yet' }
  const wrong: string[] = []
  for (const actor of actors) {
    const problem = await plcProblem(config, deps, actor.did, join(actor.dir, 'key'))
    // The directory itself failing says nothing about the accounts: report it once, blame no account.
    if (problem instanceof PlcUnreachable) {
      return {
        status: 'fail',
        detail: `PLC directory ${config.identity.plcUrl} is unreachable (${problem.message}); ${actors.length} did:plc documents not checked`,
        fix: `check this machine's network access to ${config.identity.plcUrl} (DNS, firewall, proxy) or PDS_DID_PLC_URL, then run doctor again`,
      }
    }
    if (problem) wrong.push(`${actor.did}: ${problem}`)
  }
  if (!wrong.length) return { status: 'pass', detail: `${actors.length} did:plc documents point here with the right keys` }
  return {
    status: 'fail',
    detail: `${wrong.length}/${actors.length} wrong: ${wrong.slice(0, 3).join('; ')}`,
    fix: 'a migrated-away or half-migrated account; fix its PLC document (identity.signPlcOperation) or remove the account',
  }
}

class PlcUnreachable extends Error {}

async function plcProblem(config: Config, deps: NetworkDeps, did: string, keyPath: string): Promise<string | PlcUnreachable | null> {
  const res = await deps.fetch(`${config.identity.plcUrl.replace(/\/$/, '')}/${encodeURIComponent(did)}`).catch((err: Error) => err)
  if (res instanceof Error) return new PlcUnreachable(res.message)
  if (res.status >= 500) return new PlcUnreachable(`it answers ${res.status}`)
  if (res.status === 404) return 'not in the PLC directory'
  if (!res.ok) return `PLC directory answers ${res.status}`
  const doc = (await res.json().catch(() => null)) as DidDocument | null
  if (!doc) return new PlcUnreachable('it answers something that is not JSON')
  if (typeof doc.id !== 'string') return 'the PLC directory answers something that is not a DID document'
  const { pds, signingKey } = atprotoData(doc)
  if (pds?.replace(/\/$/, '') !== config.service.publicUrl) return `PDS endpoint is ${pds ?? 'missing'}`
  if (!existsSync(keyPath)) return 'no signing key on disk'
  const key = Secp256k1Keypair.import(keyFilesFor(config).read(keyPath, did))
  if (signingKey !== key.did()) return 'signing key differs from the one on disk'
  return null
}

async function checkSmtp(smtpUrl: string, deps: NetworkDeps): Promise<Omit<NetworkCheck, 'name'>> {
  const url = new URL(smtpUrl)
  const port = Number(url.port || (url.protocol === 'smtps:' ? 465 : 587))
  if (url.protocol === 'smtps:') {
    // Implicit TLS: a TCP connect proves reachability; the greeting comes after the handshake.
    await deps.greeting(url.hostname, port, 5000, false).catch((err: Error) => {
      throw new Error(`${url.hostname}:${port}: ${err.message}`)
    })
    return { status: 'pass', detail: `${url.hostname}:${port} accepts connections` }
  }
  const line = await deps.greeting(url.hostname, port, 5000).catch((err: Error) => err)
  if (line instanceof Error) return { status: 'fail', detail: `${url.hostname}:${port}: ${line.message}`, fix: 'check PDS_EMAIL_SMTP_URL and that outbound SMTP is not blocked by the host' }
  return line.startsWith('220')
    ? { status: 'pass', detail: `${url.hostname}:${port} greets: ${line.slice(0, 60)}` }
    : { status: 'fail', detail: `${url.hostname}:${port} said: ${line.slice(0, 60)}`, fix: 'this is not an SMTP server; check PDS_EMAIL_SMTP_URL' }
}

function checkPermissions(config: Config, envFile: string): Omit<NetworkCheck, 'name'> {
  const dir = config.db.dataDirectory
  if (!existsSync(dir)) return { status: 'fail', detail: `${dir} does not exist`, fix: `mkdir -p ${dir} and give it to the server's user` }
  try {
    accessSync(dir, constants.W_OK | constants.R_OK)
  } catch {
    return { status: 'fail', detail: `${dir} is not writable by this user`, fix: `chown -R <server user> ${dir}` }
  }
  if (existsSync(envFile) && (statSync(envFile).mode & 0o077) !== 0) {
    return { status: 'warn', detail: `${envFile} is readable by other users (it holds secrets)`, fix: `chmod 600 ${envFile}` }
  }
  const layout = layoutFromConfig(config)
  const openKeys = listActorDirs(layout.actorStoreDirectory).filter((a) => {
    const key = join(a.dir, 'key')
    return existsSync(key) && (statSync(key).mode & 0o077) !== 0
  })
  if (openKeys.length) return { status: 'warn', detail: `${openKeys.length} signing key files are readable by others`, fix: `chmod 600 ${dir}/actors/*/*/key` }
  const openLabelKeys = listLabelKeyFiles(layout.labelKeyDirectory).filter((k) => (statSync(k.path).mode & 0o077) !== 0)
  if (openLabelKeys.length) return { status: 'warn', detail: `${openLabelKeys.length} label key files are readable by others`, fix: `chmod 600 ${layout.labelKeyDirectory}/*.label-key` }
  return { status: 'pass', detail: `${dir} is writable; secrets are private` }
}

function tcpGreeting(host: string, port: number, timeoutMs: number, waitForLine = true): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    Bun.connect({
      hostname: host,
      port,
      socket: {
        open(socket) {
          if (!waitForLine) {
            clearTimeout(timer)
            socket.end()
            resolve('connected')
          }
        },
        data(socket, data) {
          buffer += data.toString()
          const end = buffer.indexOf('\n')
          if (end >= 0) {
            clearTimeout(timer)
            socket.end()
            resolve(buffer.slice(0, end).trim())
          }
        },
        error(_socket, err) {
          clearTimeout(timer)
          reject(err)
        },
        connectError(_socket, err) {
          clearTimeout(timer)
          reject(err)
        },
      },
    }).catch((err: Error) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}
