// Handle → DID over DNS (TXT _atproto.<handle>) and HTTPS (/.well-known/atproto-did), with timeouts.
// The reference's order: the system's DNS, then HTTPS, then the operator's backup nameservers
// (PDS_HANDLE_BACKUP_NAMESERVERS, "ip" or "ip:port"), for hosts whose resolver cannot see every TXT record.
import { Resolver, resolveTxt } from 'node:dns/promises'
import { isValidDid } from '../../core/syntax/index.ts'
import { guardedFetch } from '../net/guarded-fetch.ts'

type TxtLookup = (name: string) => Promise<string[][]>

async function resolveWith(lookup: TxtLookup, handle: string, timeoutMs: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const records = await Promise.race([
      lookup(`_atproto.${handle}`),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('dns timeout')), timeoutMs)
      }),
    ])
    const dids = records.map((chunks) => chunks.join('')).filter((t) => t.startsWith('did=')).map((t) => t.slice(4))
    // Several different answers mean none is authoritative (as the reference).
    return dids.length === 1 && isValidDid(dids[0]!) ? dids[0]! : null
  } catch {
    return null
  } finally {
    clearTimeout(timer)
  }
}

export function resolveHandleDns(handle: string, timeoutMs = 3000): Promise<string | null> {
  return resolveWith(resolveTxt, handle, timeoutMs)
}

export function resolveHandleDnsBackup(handle: string, nameservers: string[], timeoutMs = 3000): Promise<string | null> {
  if (!nameservers.length) return Promise.resolve(null)
  const resolver = new Resolver({ timeout: Math.min(timeoutMs, 1000), tries: 2 })
  try {
    resolver.setServers(nameservers)
  } catch {
    return Promise.resolve(null) // not an address: as if the backup had no answer
  }
  return resolveWith((name) => resolver.resolveTxt(name), handle, timeoutMs)
}

export async function resolveHandleHttp(handle: string, timeoutMs: number): Promise<string | null> {
  try {
    // Any handle names any host: public addresses only, connected to the one checked.
    const res = await guardedFetch(`https://${handle}/.well-known/atproto-did`, { signal: AbortSignal.timeout(timeoutMs) }, { httpsOnly: true })
    if (!res.ok) return null
    const did = (await res.text()).split('\n')[0]!.trim()
    return isValidDid(did) ? did : null
  } catch {
    return null
  }
}

export async function resolveHandleRemote(handle: string, timeoutMs: number, backupNameservers: string[] = []): Promise<string | null> {
  return (
    (await resolveHandleDns(handle)) ??
    (await resolveHandleHttp(handle, timeoutMs)) ??
    (await resolveHandleDnsBackup(handle, backupNameservers))
  )
}
