// did:plc operations: building, signing, verifying, deriving the DID and the DID document.
// Shared by the PLC client (what this PDS sends) and the local PLC directory (what it accepts).
import { base32 } from 'multiformats/bases/base32'
import { encodeCbor, cidForCborBytes } from '../../core/cbor.ts'
import { sha256, verifySignature, parseDidKey, type Keypair } from '../../core/crypto/index.ts'

export type PlcService = { type: string; endpoint: string }

export type UnsignedPlcOperation = {
  type: 'plc_operation'
  rotationKeys: string[]
  verificationMethods: Record<string, string>
  alsoKnownAs: string[]
  services: Record<string, PlcService>
  prev: string | null
}
export type PlcOperation = UnsignedPlcOperation & { sig: string }
export type PlcTombstone = { type: 'plc_tombstone'; prev: string; sig: string }
export type SignedPlcOp = PlcOperation | PlcTombstone

/** The document data of a DID (GET /:did/data). */
export type PlcDocumentData = Omit<UnsignedPlcOperation, 'type' | 'prev'> & { did: string }

export class PlcOpError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlcOpError'
  }
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

export function signPlcOp<T extends Omit<SignedPlcOp, 'sig'>>(unsigned: T, key: Keypair): T & { sig: string } {
  const sig = key.sign(encodeCbor(unsigned))
  return { ...unsigned, sig: b64url(sig) }
}

export function createGenesisOp(opts: {
  signingKey: string
  rotationKeys: string[]
  handle: string
  pds: string
  signer: Keypair
}): { did: string; op: PlcOperation } {
  const op = signPlcOp<UnsignedPlcOperation>(
    {
      type: 'plc_operation',
      rotationKeys: opts.rotationKeys,
      verificationMethods: { atproto: opts.signingKey },
      alsoKnownAs: [`at://${opts.handle}`],
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: opts.pds } },
      prev: null,
    },
    opts.signer,
  )
  return { did: didForGenesisOp(op), op }
}

/** did:plc: + first 24 chars of base32(sha256(dag-cbor(signed genesis op))). */
export function didForGenesisOp(op: SignedPlcOp): string {
  const hash = sha256(encodeCbor(op))
  return 'did:plc:' + base32.baseEncode(hash).slice(0, 24)
}

export function cidForOp(op: SignedPlcOp): string {
  return cidForCborBytes(encodeCbor(op)).toString()
}

/** True when one of `keys` signed `op`. Signatures must be base64url without padding, low-S. */
export function verifyOpSignature(op: SignedPlcOp, keys: string[]): boolean {
  const { sig, ...unsigned } = op
  if (typeof sig !== 'string' || !/^[A-Za-z0-9_-]+$/.test(sig)) return false
  const bytes = new Uint8Array(Buffer.from(sig, 'base64url'))
  const data = encodeCbor(unsigned)
  return keys.some((key) => verifySignature(key, data, bytes))
}

/** Structural checks on an operation received from the network. */
export function assertWellFormedOp(value: unknown): SignedPlcOp {
  const op = value as Record<string, unknown>
  if (!op || typeof op !== 'object') throw new PlcOpError('operation must be an object')
  if (typeof op.sig !== 'string') throw new PlcOpError('operation is missing its signature')
  if (op.type === 'plc_tombstone') {
    if (typeof op.prev !== 'string') throw new PlcOpError('tombstone needs prev')
    return op as PlcTombstone
  }
  if (op.type !== 'plc_operation') throw new PlcOpError(`unsupported operation type: ${String(op.type)}`)
  const isStrArr = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (!isStrArr(op.rotationKeys) || (op.rotationKeys as string[]).length === 0 || (op.rotationKeys as string[]).length > 5) {
    throw new PlcOpError('rotationKeys must be 1 to 5 did:key strings')
  }
  for (const key of op.rotationKeys as string[]) {
    try {
      parseDidKey(key)
    } catch {
      throw new PlcOpError(`invalid rotation key: ${key}`)
    }
  }
  if (!isStrArr(op.alsoKnownAs)) throw new PlcOpError('alsoKnownAs must be a list of strings')
  if (!op.verificationMethods || typeof op.verificationMethods !== 'object') throw new PlcOpError('verificationMethods must be an object')
  if (!op.services || typeof op.services !== 'object') throw new PlcOpError('services must be an object')
  if (op.prev !== null && typeof op.prev !== 'string') throw new PlcOpError('prev must be a CID string or null')
  return op as PlcOperation
}

export function opToData(did: string, op: PlcOperation): PlcDocumentData {
  return {
    did,
    verificationMethods: op.verificationMethods,
    rotationKeys: op.rotationKeys,
    alsoKnownAs: op.alsoKnownAs,
    services: op.services,
  }
}

/** The W3C DID document plc.directory serves for a document's data. */
export function formatDidDoc(data: PlcDocumentData) {
  const context = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']
  const verificationMethod = Object.entries(data.verificationMethods).map(([id, key]) => {
    const { jwtAlg } = parseDidKey(key)
    const suite = jwtAlg === 'ES256K' ? 'https://w3id.org/security/suites/secp256k1-2019/v1' : 'https://w3id.org/security/suites/ecdsa-2019/v1'
    if (!context.includes(suite)) context.push(suite)
    return { id: `${data.did}#${id}`, type: 'Multikey', controller: data.did, publicKeyMultibase: key.slice('did:key:'.length) }
  })
  const service = Object.entries(data.services).map(([id, s]) => ({ id: `#${id}`, type: s.type, serviceEndpoint: s.endpoint }))
  return { '@context': context, id: data.did, alsoKnownAs: data.alsoKnownAs, verificationMethod, service }
}
