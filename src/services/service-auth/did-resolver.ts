// What resolves a DID to its document: the identity service's resolver (with did_cache.sqlite) in the
// server, a small fetching one in the tests (test/helpers/did-resolver.ts).
import type { DidDocument } from '../../core/did-doc.ts'

export interface DidResolver {
  /** The DID document, or null when the DID does not exist. Throws when the source cannot be reached. */
  resolve(did: string, forceRefresh?: boolean): Promise<DidDocument | null>
}
