// Version-3 repository commits: {did, version: 3, data, rev, prev: null, sig}.
// The signature covers the DAG-CBOR of the commit without `sig` (atproto repository spec).
import { CID, decodeCbor, encodeBlock, encodeCbor } from './cbor.ts'

/** Minimal signing interface; src/core/crypto keypairs satisfy it. */
export interface Signer {
  did(): string
  sign(bytes: Uint8Array): Uint8Array
}

export type VerifyFn = (data: Uint8Array, sig: Uint8Array) => boolean

export interface UnsignedCommit {
  did: string
  version: 3
  data: CID
  rev: string
  prev: CID | null
}

export interface Commit extends UnsignedCommit {
  sig: Uint8Array
}

export class InvalidCommitError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidCommitError'
  }
}

export function unsignedCommitBytes(commit: UnsignedCommit | Commit): Uint8Array {
  const { sig: _sig, ...unsigned } = commit as Commit
  return encodeCbor(unsigned)
}

export function signCommit(unsigned: UnsignedCommit, signer: Signer): Commit {
  const fields: UnsignedCommit = {
    did: unsigned.did,
    version: 3,
    data: unsigned.data,
    rev: unsigned.rev,
    prev: unsigned.prev ?? null,
  }
  return { ...fields, sig: signer.sign(encodeCbor(fields)) }
}

export function verifyCommitSignature(commit: Commit, verify: VerifyFn): boolean {
  return verify(unsignedCommitBytes(commit), commit.sig)
}

export function encodeCommit(commit: Commit): { cid: CID; bytes: Uint8Array } {
  return encodeBlock(commit)
}

/** Decode and shape-check a commit block (version 3 only). */
export function decodeCommit(bytes: Uint8Array): Commit {
  let value: any
  try {
    value = decodeCbor(bytes)
  } catch (err) {
    throw new InvalidCommitError(`commit is not DAG-CBOR: ${(err as Error).message}`)
  }
  if (!value || typeof value !== 'object') throw new InvalidCommitError('commit must be a map')
  if (value.version !== 3) throw new InvalidCommitError(`unsupported commit version ${value.version}`)
  if (typeof value.did !== 'string') throw new InvalidCommitError('commit.did must be a string')
  if (typeof value.rev !== 'string') throw new InvalidCommitError('commit.rev must be a string')
  if (!CID.asCID(value.data)) throw new InvalidCommitError('commit.data must be a CID')
  if (value.prev !== undefined && value.prev !== null && !CID.asCID(value.prev)) {
    throw new InvalidCommitError('commit.prev must be a CID or null')
  }
  if (!(value.sig instanceof Uint8Array)) throw new InvalidCommitError('commit.sig must be bytes')
  return value as Commit
}
