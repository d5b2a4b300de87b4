// Records and accounts hosted on other servers, as a moderator sees them: Ozone reads them from its AppView;
// we ask the subject's own PDS (the #atproto_pds endpoint of its DID document) with com.atproto.repo.getRecord
// and describeRepo. Bounded in time and size, cached briefly, one circuit breaker per host; a host that does
// not answer gives "not found" (as Ozone when its AppView lacks the record), never an error.
import type { Logger } from '../../logger.ts'
import { atprotoData, type DidDocument } from '../../core/did-doc.ts'
import { CircuitBreaker } from '../net/circuit-breaker.ts'
import { guardedFetch } from '../net/guarded-fetch.ts'
import { readAtMost } from '../proxy/forward.ts'

export type RemoteRecord = { cid: string; value: Record<string, unknown>; pds: string }
export type RemoteRepo = { handle?: string; profile?: Record<string, unknown>; pds: string }

export type RemoteOptions = {
  resolveDid: (did: string) => Promise<DidDocument | null>
  /** Dev mode: loopback and plain-http hosts allowed; otherwise public https hosts only (guarded fetch). */
  devMode: boolean
  log?: Logger
  timeoutMs?: number
  /** How long an answer (found or not) is reused: a moderator's page reloads and batch views ask again. */
  ttlMs?: number
  maxEntries?: number
  maxBytes?: number
  /** Tests move the clock (cache ages, breaker cool-down). */
  now?: () => number
}

/** The host's answer: a JSON body, or `missing` when it said the thing does not exist (any 4xx). */
type Answer = { ok: true; json: Record<string, unknown> } | { ok: false }

class HostFailure extends Error {}

export class RemoteSubjects {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>()
  private readonly breakers = new Map<string, CircuitBreaker>()
  private readonly timeoutMs: number
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly now: () => number

  constructor(private readonly opts: RemoteOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3_000
    this.ttlMs = opts.ttlMs ?? 30_000
    this.maxEntries = opts.maxEntries ?? 500
    this.maxBytes = opts.maxBytes ?? 1024 * 1024
    this.now = opts.now ?? Date.now
  }

  /** The record as its PDS serves it now (at `cid` when given); null when gone or unreachable. */
  record(did: string, collection: string, rkey: string, cid?: string): Promise<RemoteRecord | null> {
    return this.cached(`record ${did} ${collection} ${rkey} ${cid ?? ''}`, async () => {
      const pds = await this.pdsOf(did)
      if (!pds) return null
      const answer = await this.call(pds, 'com.atproto.repo.getRecord', { repo: did, collection, rkey, ...(cid ? { cid } : {}) })
      if (!answer.ok) return null
      const { cid: got, value } = answer.json
      if (typeof got !== 'string' || !value || typeof value !== 'object' || Array.isArray(value)) return null
      return { cid: got, value: value as Record<string, unknown>, pds }
    })
  }

  /** The account's handle (describeRepo) and profile record from its PDS; null when it does not answer for it. */
  repo(did: string): Promise<RemoteRepo | null> {
    return this.cached(`repo ${did}`, async () => {
      const pds = await this.pdsOf(did)
      if (!pds) return null
      const [described, profile] = await Promise.all([
        this.call(pds, 'com.atproto.repo.describeRepo', { repo: did }),
        this.record(did, 'app.bsky.actor.profile', 'self'),
      ])
      if (!described.ok) return null
      const handle = typeof described.json.handle === 'string' && described.json.handleIsCorrect !== false ? described.json.handle : undefined
      return { handle, profile: profile?.value, pds }
    })
  }

  /** The #atproto_pds endpoint of a DID (undefined when it does not resolve or names none). */
  async pdsOf(did: string): Promise<string | undefined> {
    const doc = await this.opts.resolveDid(did).catch(() => null)
    return doc ? atprotoData(doc).pds : undefined
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now()
    const hit = this.cache.get(key)
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>
    this.cache.delete(key)
    const value = load().catch((err) => {
      // An unreachable host is not remembered here (its breaker is); anything else is a bug to log.
      if (this.cache.get(key)?.value === value) this.cache.delete(key)
      if (!(err instanceof HostFailure)) this.opts.log?.warn('remote subject lookup failed', { key, error: String(err) })
      return null as T
    })
    this.cache.set(key, { at: now, value })
    // Oldest first in a Map: drop from the front when full.
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!)
    return value
  }

  private breakerFor(host: string): CircuitBreaker {
    let breaker = this.breakers.get(host)
    if (!breaker) {
      breaker = new CircuitBreaker(`pds ${host}`, { threshold: 3, openMs: 30_000, log: this.opts.log, now: this.now })
      this.breakers.set(host, breaker)
      while (this.breakers.size > 100) this.breakers.delete(this.breakers.keys().next().value!)
    }
    return breaker
  }

  /** One XRPC query to a PDS; a 4xx is an answer (not found, taken down…), a timeout, 5xx or bad body a HostFailure. */
  private async call(pds: string, nsid: string, params: Record<string, string>): Promise<Answer> {
    const url = new URL(`/xrpc/${nsid}`, pds)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    const breaker = this.breakerFor(url.host)
    try {
      return await breaker.run(async () => {
        const res = await guardedFetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } }, {
          allowPrivate: this.opts.devMode,
          httpsOnly: !this.opts.devMode,
        }).catch((err) => {
          throw new HostFailure(`${url.host} unreachable: ${err instanceof Error ? err.message : String(err)}`)
        })
        if (res.status >= 400 && res.status < 500) {
          await res.body?.cancel().catch(() => {})
          return { ok: false } as const
        }
        if (res.status !== 200) {
          await res.body?.cancel().catch(() => {})
          throw new HostFailure(`${url.host} answered ${res.status}`)
        }
        const json = await readAtMost(res.body, this.maxBytes).then((bytes) => JSON.parse(bytes.toString('utf8')) as unknown).catch((err) => {
          throw new HostFailure(`${url.host}: ${err instanceof Error ? err.message : String(err)}`)
        })
        if (!json || typeof json !== 'object' || Array.isArray(json)) throw new HostFailure(`${url.host}: not a JSON object`)
        return { ok: true, json: json as Record<string, unknown> } as const
      })
    } catch (err) {
      // Open circuit or a failure this time: the subject is shown as not found, as Ozone without it.
      throw err instanceof HostFailure ? err : new HostFailure(String(err))
    }
  }
}
