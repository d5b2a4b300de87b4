// DID resolution (did:plc through the PLC directory, did:web over HTTPS) cached in did_cache.sqlite:
// fresh for staleTTL, served while refreshing in the background until maxTTL, as the reference.
import type { DidCache } from '../../storage/did-cache.ts'
import type { PlcClient } from './plc-client.ts'
import { PlcClientError } from './plc-client.ts'
import { isDidDocument, type DidDocument } from '../../core/did-doc.ts'
import { guardedFetch } from '../net/guarded-fetch.ts'

export type { DidDocument }

export class DidResolver {
  constructor(
    private readonly plc: PlcClient,
    private readonly cache: DidCache,
    /** devMode: did:web:localhost over http; otherwise did:web hosts must be public (guarded fetch). */
    private readonly opts: { staleTTL: number; maxTTL: number; timeoutMs: number; devMode?: boolean; local?: (did: string) => DidDocument | null },
  ) {}

  async resolve(did: string, forceRefresh = false): Promise<DidDocument | null> {
    // A DID whose document this server itself serves (a hosted did:web): always current, never fetched.
    const local = this.opts.local?.(did)
    if (local) return local
    const cached = this.cache.get(did)
    const age = cached ? Date.now() - cached.updatedAt : Infinity
    if (cached && !forceRefresh && age < this.opts.maxTTL) {
      if (age > this.opts.staleTTL) void this.refresh(did).catch(() => {})
      return cached.doc as DidDocument
    }
    return this.refresh(did)
  }

  async refresh(did: string): Promise<DidDocument | null> {
    const local = this.opts.local?.(did)
    if (local) return local
    const doc = await this.fetchDoc(did)
    if (!isDidDocument(doc) || doc.id !== did) {
      this.clear(did)
      return null
    }
    this.cache.put(did, doc)
    return doc
  }

  clear(did: string) {
    this.cache.delete(did)
  }

  private async fetchDoc(did: string): Promise<unknown> {
    if (did.startsWith('did:plc:')) {
      try {
        return await this.plc.getDocument(did)
      } catch (err) {
        if (err instanceof PlcClientError && (err.status === 404 || err.status === 410)) return null
        throw err
      }
    }
    if (did.startsWith('did:web:')) {
      const host = decodeURIComponent(did.slice('did:web:'.length))
      if (host.includes(':') && !host.startsWith('localhost')) return null // did:web paths are unsupported in atproto
      const local = host.startsWith('localhost') && Boolean(this.opts.devMode)
      const res = await guardedFetch(`${local ? 'http' : 'https'}://${host}/.well-known/did.json`, { signal: AbortSignal.timeout(this.opts.timeoutMs) }, {
        allowPrivate: Boolean(this.opts.devMode),
        httpsOnly: !local,
      }).catch(() => null)
      if (!res?.ok) return null
      return await res.json().catch(() => null)
    }
    return null
  }
}
