// The two things other services need from a DID document: the #atproto signing key and a service endpoint.
import { formatDidKey, parseLegacyMultibase, parseMultikey, type JwtAlg } from '../../core/crypto/index.ts'

export type DidDocument = {
  id: string
  alsoKnownAs?: string[]
  verificationMethod?: Array<{ id: string; type: string; controller?: string; publicKeyMultibase?: string }>
  service?: Array<{ id: string; type: string; serviceEndpoint: unknown }>
}

/** Matches `#frag` and `did:...#frag` ids, as both forms appear in the wild. */
function idMatches(docId: string, entryId: string, fragment: string): boolean {
  return entryId === fragment || entryId === `${docId}${fragment}`
}

const LEGACY_KEY_TYPES: Record<string, JwtAlg> = {
  EcdsaSecp256k1VerificationKey2019: 'ES256K',
  EcdsaSecp256r1VerificationKey2019: 'ES256',
}

/** The did:key of the document's `#atproto` verification method, if it has a usable one. */
export function getAtprotoSigningKey(doc: DidDocument, keyId = '#atproto'): string | undefined {
  const method = doc.verificationMethod?.find((m) => idMatches(doc.id, m.id, keyId))
  if (!method?.publicKeyMultibase) return undefined
  try {
    if (method.type === 'Multikey') {
      const parsed = parseMultikey(method.publicKeyMultibase)
      return formatDidKey(parsed.jwtAlg, parsed.publicKey)
    }
    const alg = LEGACY_KEY_TYPES[method.type]
    if (!alg) return undefined
    return formatDidKey(alg, parseLegacyMultibase(alg, method.publicKeyMultibase))
  } catch {
    return undefined
  }
}

/** The http(s) URL of service `#id` (e.g. '#atproto_pds', '#bsky_fg'), without a trailing path check. */
export function getServiceEndpoint(doc: DidDocument, serviceId: string, type?: string): string | undefined {
  const fragment = serviceId.startsWith('#') ? serviceId : `#${serviceId}`
  const service = doc.service?.find((s) => idMatches(doc.id, s.id, fragment))
  if (!service || (type && service.type !== type)) return undefined
  const endpoint = service.serviceEndpoint
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return undefined
  const url = new URL(endpoint)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  return endpoint
}
