// DAG-CBOR encoding and CID computation: the one place the rest of core gets them from.
// Hot paths (hashing, CID strings, CID parsing) avoid the generic libraries: sha256 is Bun's
// native one, and CIDs we create are `Sha256Cid`s whose base32 string is computed by a
// specialised encoder and cached (CID strings key every block map in core and storage).
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { Digest } from 'multiformats/hashes/digest'

export { CID }

export const DAG_CBOR = 0x71
export const RAW = 0x55
const SHA2_256 = 0x12
/** Byte length of a CIDv1 with a one-byte codec and a sha2-256 multihash. */
export const SHA256_CID_LENGTH = 36

export function encodeCbor(value: unknown): Uint8Array {
  return dagCbor.encode(value)
}

export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  return dagCbor.decode(bytes) as T
}

export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return Bun.SHA256.hash(bytes, new Uint8Array(32)) as Uint8Array
}

// ---- CID strings ------------------------------------------------------------

const BASE32_CODES = new Uint8Array(32)
for (let i = 0; i < 32; i++) BASE32_CODES[i] = 'abcdefghijklmnopqrstuvwxyz234567'.charCodeAt(i)
const latin1 = new TextDecoder('latin1')
const base32Scratch = new Uint8Array(128)

/** Multibase base32 (lowercase, unpadded, 'b' prefix): CID.toString() of a CIDv1. */
function base32Multibase(bytes: Uint8Array): string {
  const out = bytes.length <= 75 ? base32Scratch : new Uint8Array(2 + Math.ceil((bytes.length * 8) / 5))
  let o = 0
  out[o++] = 0x62 // 'b'
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes[i]!) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[o++] = BASE32_CODES[(buffer >> bits) & 31]!
    }
  }
  if (bits > 0) out[o++] = BASE32_CODES[(buffer << (5 - bits)) & 31]!
  return latin1.decode(out.subarray(0, o))
}

/**
 * A CIDv1 built by core. Behaves exactly like multiformats' CID (it is one); only its default
 * string form is computed faster and remembered.
 */
class Sha256Cid extends CID {
  #string: string | undefined

  override toString(base?: Parameters<CID['toString']>[0]): string {
    if (base !== undefined) return super.toString(base)
    return (this.#string ??= base32Multibase(this.bytes))
  }
}

/** Wrap 36 CID bytes (v1, one-byte codec, sha2-256) without copying or re-encoding them. */
function sha256CidOver(cidBytes: Uint8Array): CID {
  const digest = new Digest(SHA2_256, 32, cidBytes.subarray(4), cidBytes.subarray(2))
  return new Sha256Cid(1, cidBytes[1]!, digest, cidBytes) as CID
}

/**
 * Parse a CIDv1 (one-byte codec, sha2-256) at `offset`, or return null when the bytes are
 * something else (the caller then uses the generic parser). The CID is a view into `bytes`.
 */
export function readSha256Cid(bytes: Uint8Array, offset: number): CID | null {
  if (offset + SHA256_CID_LENGTH > bytes.length) return null
  if (bytes[offset] !== 1 || bytes[offset + 1]! >= 0x80) return null
  if (bytes[offset + 2] !== SHA2_256 || bytes[offset + 3] !== 32) return null
  return sha256CidOver(bytes.subarray(offset, offset + SHA256_CID_LENGTH))
}

export function cidForBytes(codec: number, bytes: Uint8Array): CID {
  if (codec >= 0x80) {
    const multihash = sha256Multihash(bytes)
    return CID.createV1(codec, new Digest(SHA2_256, 32, multihash.subarray(2), multihash))
  }
  const cidBytes = new Uint8Array(SHA256_CID_LENGTH)
  cidBytes[0] = 1
  cidBytes[1] = codec
  cidBytes[2] = SHA2_256
  cidBytes[3] = 32
  Bun.SHA256.hash(bytes, cidBytes.subarray(4))
  return sha256CidOver(cidBytes)
}

function sha256Multihash(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(34)
  out[0] = SHA2_256
  out[1] = 32
  Bun.SHA256.hash(bytes, out.subarray(2))
  return out
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
