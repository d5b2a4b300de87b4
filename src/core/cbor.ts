// DAG-CBOR encoding and CID computation: the one place the rest of core gets them from.
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from '@noble/hashes/sha2.js'

export { CID }

export const DAG_CBOR = 0x71
export const RAW = 0x55
const SHA2_256 = 0x12

export function encodeCbor(value: unknown): Uint8Array {
  return dagCbor.encode(value)
}

export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  return dagCbor.decode(bytes) as T
}

export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return sha256(bytes)
}

export function cidForBytes(codec: number, bytes: Uint8Array): CID {
  return CID.createV1(codec, createDigest(SHA2_256, sha256(bytes)))
}

/** CID of already-encoded DAG-CBOR bytes. */
export function cidForCborBytes(bytes: Uint8Array): CID {
  return cidForBytes(DAG_CBOR, bytes)
}

/** CID of raw bytes (blobs). */
export function cidForRaw(bytes: Uint8Array): CID {
  return cidForBytes(RAW, bytes)
}

/** Encode a value and return its bytes with their CID. */
export function encodeBlock(value: unknown): { cid: CID; bytes: Uint8Array } {
  const bytes = encodeCbor(value)
  return { cid: cidForCborBytes(bytes), bytes }
}
