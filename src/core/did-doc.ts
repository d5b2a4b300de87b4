// The one DID-document model: its shape, and the atproto pieces read from it (handle, #atproto signing
// key, service endpoints). Every path that reads a DID document (service auth, moderator auth, handle
// checks, migration, OAuth, the proxy) goes through these, so they all accept the same documents as
// @atproto/identity: keys as `Multikey`, or as the older EcdsaSecp256k1VerificationKey2019 /
// EcdsaSecp256r1VerificationKey2019 suites with a bare (compressed or uncompressed) key in any multibase.
import { formatDidKey, parseLegacyMultibase, parseMultikey, type JwtAlg } from './crypto/index.ts'

export type VerificationMethod = { id: string; type: string; controller: string; publicKeyMultibase?: string; publicKeyJwk?: Record<string, unknown> }
export type DidService = { id: string; type: string; serviceEndpoint: string | Record<string, unknown> }

export type DidDocument = {
  '@context'?: unknown
  id: string
  alsoKnownAs?: string[]
  verificationMethod?: VerificationMethod[]
  service?: DidService[]
  [key: string]: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === 'string'

function isVerificationMethod(v: unknown): v is VerificationMethod {
  return (
    isObject(v) &&
    isStr(v.id) &&
    isStr(v.type) &&
    isStr(v.controller) &&
    (v.publicKeyMultibase === undefined || isStr(v.publicKeyMultibase)) &&
    (v.publicKeyJwk === undefined || isObject(v.publicKeyJwk))
  )
}

function isService(v: unknown): v is DidService {
  return isObject(v) && isStr(v.id) && isStr(v.type) && (isStr(v.serviceEndpoint) || isObject(v.serviceEndpoint))
}

/** The shape check the reference's resolver applies (a document failing it counts as unresolvable). */
export function isDidDocument(value: unknown): value is DidDocument {
  if (!isObject(value) || !isStr(value.id)) return false
  if (value.alsoKnownAs !== undefined && !(Array.isArray(value.alsoKnownAs) && value.alsoKnownAs.every(isStr))) return false
  if (value.verificationMethod !== undefined && !(Array.isArray(value.verificationMethod) && value.verificationMethod.every(isVerificationMethod))) return false
  if (value.service !== undefined && !(Array.isArray(value.service) && value.service.every(isService))) return false
  return true
}

/** `#frag` and `did:...#frag` ids both appear in the wild. */
function findById<T extends { id: string }>(doc: DidDocument, items: T[] | undefined, fragment: string): T | undefined {
  return items?.find((item) => item.id === fragment || item.id === `${doc.id}${fragment}`)
}

/** The handle the document claims (first `at://` alias), unverified. */
export function getHandle(doc: DidDocument): string | undefined {
  return doc.alsoKnownAs?.find((a) => a.startsWith('at://'))?.slice('at://'.length)
}

const LEGACY_KEY_SUITES: Record<string, JwtAlg> = {
  EcdsaSecp256k1VerificationKey2019: 'ES256K',
  EcdsaSecp256r1VerificationKey2019: 'ES256',
}

/** The did:key of one verification method, or undefined for an unknown type or an undecodable key. */
export function didKeyOfMethod(method: { type: string; publicKeyMultibase?: string }): string | undefined {
  if (!method.publicKeyMultibase) return undefined
  try {
    if (method.type === 'Multikey') {
      const parsed = parseMultikey(method.publicKeyMultibase)
      return formatDidKey(parsed.jwtAlg, parsed.publicKey)
    }
    const alg = LEGACY_KEY_SUITES[method.type]
    return alg ? formatDidKey(alg, parseLegacyMultibase(alg, method.publicKeyMultibase)) : undefined
  } catch {
    return undefined
  }
}

/** The did:key of verification method `#<keyId>` (the repo signing key for 'atproto'). */
export function getSigningKey(doc: DidDocument, keyId = 'atproto'): string | undefined {
  const method = findById(doc, doc.verificationMethod, `#${keyId.replace(/^#/, '')}`)
  return method ? didKeyOfMethod(method) : undefined
}

/** The http(s) URL of service `#id` (e.g. 'atproto_pds', '#bsky_fg'), checked for `type` when given. */
export function getServiceEndpoint(doc: DidDocument, serviceId: string, type?: string): string | undefined {
  const service = findById(doc, doc.service, `#${serviceId.replace(/^#/, '')}`)
  if (!service || (type && service.type !== type)) return undefined
  const endpoint = service.serviceEndpoint
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint)) return undefined
  return endpoint
}

export const PDS_SERVICE_ID = 'atproto_pds'
export const PDS_SERVICE_TYPE = 'AtprotoPersonalDataServer'

export function getPdsEndpoint(doc: DidDocument): string | undefined {
  return getServiceEndpoint(doc, PDS_SERVICE_ID, PDS_SERVICE_TYPE)
}

/** The atproto pieces of a DID document: handle, signing key (did:key), PDS endpoint. */
export function atprotoData(doc: DidDocument) {
  return { did: doc.id, handle: getHandle(doc), signingKey: getSigningKey(doc), pds: getPdsEndpoint(doc) }
}
