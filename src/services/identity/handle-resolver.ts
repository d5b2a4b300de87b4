// Handle → DID over DNS (TXT _atproto.<handle>) and HTTPS (/.well-known/atproto-did), with timeouts.
import { resolveTxt } from 'node:dns/promises'
import { isValidDid } from '../../core/syntax/index.ts'
import { guardedFetch } from '../net/guarded-fetch.ts'

export async function resolveHandleDns(handle: string): Promise<string | null> {
  try {
    const records = await Promise.race([
      resolveTxt(`_atproto.${handle}`),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('dns timeout')), 3000)),
    ])
    const dids = records.map((chunks) => chunks.join('')).filter((t) => t.startsWith('did=')).map((t) => t.slice(4))
    // Several different answers mean none is authoritative (as the reference).
    return dids.length === 1 && isValidDid(dids[0]!) ? dids[0]! : null
  } catch {
    return null
  }
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

export async function resolveHandleRemote(handle: string, timeoutMs: number): Promise<string | null> {
  return (await resolveHandleDns(handle)) ?? (await resolveHandleHttp(handle, timeoutMs))
}
