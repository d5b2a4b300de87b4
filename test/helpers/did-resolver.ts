// A small DID resolver for tests (did:plc via the PLC directory, did:web via /.well-known/did.json) with
// an in-memory cache; the server uses the identity service's resolver (with did_cache.sqlite).
import { getSigningKey, isDidDocument, type DidDocument } from '../../src/core/did-doc.ts'
import type { DidResolver } from '../../src/services/service-auth/index.ts'
import { authRequired } from '../../src/services/errors.ts'

export class SimpleDidResolver implements DidResolver {
  private readonly cache = new Map<string, { doc: DidDocument | null; at: number }>()

  constructor(
    private readonly opts: { plcUrl: string; timeoutMs?: number; ttlMs?: number; allowHttpWeb?: boolean },
  ) {}

  async resolve(did: string, forceRefresh = false): Promise<DidDocument | null> {
    const hit = this.cache.get(did)
    if (hit && !forceRefresh && Date.now() - hit.at < (this.opts.ttlMs ?? 60_000)) return hit.doc
    const doc = await this.fetchDoc(did)
    this.cache.set(did, { doc, at: Date.now() })
    return doc
  }

  private docUrl(did: string): string | undefined {
    if (did.startsWith('did:plc:')) return `${this.opts.plcUrl.replace(/\/$/, '')}/${encodeURIComponent(did)}`
    if (did.startsWith('did:web:')) {
      const host = decodeURIComponent(did.slice('did:web:'.length))
      if (host.includes(':') && !this.opts.allowHttpWeb) return undefined // paths are not supported (as the reference)
      const local = host.startsWith('localhost')
      return `${local && this.opts.allowHttpWeb ? 'http' : 'https'}://${host}/.well-known/did.json`
    }
    return undefined
  }

  private async fetchDoc(did: string): Promise<DidDocument | null> {
    const url = this.docUrl(did)
    if (!url) return null
    const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3000), redirect: 'error' })
    if (res.status === 404 || res.status === 410) return null
    if (!res.ok) throw new Error(`DID resolution failed for ${did}: HTTP ${res.status}`)
    const doc: unknown = await res.json()
    return isDidDocument(doc) && doc.id === did ? doc : null
  }
}

/** `resolveDidKey` for verifyServiceJwt: `iss` may carry a #service fragment; the key is always #atproto. */
export function didKeyResolver(resolver: DidResolver) {
  return async (iss: string, forceRefresh: boolean): Promise<string> => {
    const did = iss.split('#')[0]!
    let doc: DidDocument | null
    try {
      doc = await resolver.resolve(did, forceRefresh)
    } catch {
      throw authRequired('could not resolve iss did', 'BadJwtIss')
    }
    const key = doc && getSigningKey(doc)
    if (!key) throw authRequired('missing or bad key in did doc', 'BadJwtIss')
    return key
  }
}
