// Blob references in IPLD form: {$type:'blob', ref: CID, mimeType, size}, or the legacy
// {cid: string, mimeType} form the reference still accepts (size unknown, so maxSize is skipped).
// Unlike the reference's record validator, `accept` and `maxSize` are enforced here against the
// declared mimeType/size (the interop vectors expect it); the stored blob is checked separately.
import { CID } from 'multiformats/cid'
import { parseCid } from '../../cbor.ts'
import type { LexBlob } from '../schema.ts'
import { fail, ok, type ValidationResult } from '../errors.ts'
import { isCid, isDataObject } from './values.ts'

export interface BlobInfo {
  mimeType: string
  /** -1 for a legacy blob, whose size is not recorded. */
  size: number
}

/** Reads a blob reference, or undefined when the value is not one. */
export function readBlobRef(value: unknown): BlobInfo | undefined {
  if (!isDataObject(value)) return undefined
  const keys = Object.keys(value)
  if (value.$type === 'blob') {
    const { ref, mimeType, size } = value
    const wellFormed =
      keys.length === 4 &&
      isCid(ref) &&
      typeof mimeType === 'string' &&
      typeof size === 'number' &&
      Number.isInteger(size) &&
      size >= 0
    return wellFormed ? { mimeType: mimeType as string, size: size as number } : undefined
  }
  if (keys.length === 2 && typeof value.cid === 'string' && typeof value.mimeType === 'string') {
    return isLegacyCid(value.cid) ? { mimeType: value.mimeType, size: -1 } : undefined
  }
  return undefined
}

function isLegacyCid(text: string): boolean {
  if (text.length > 128) return false
  try {
    parseCid(text)
    return true
  } catch {
    return false
  }
}

/** "image/*" matches any image type, "*\/*" anything, otherwise an exact match. */
export function mimeTypeAccepted(mimeType: string, accept: readonly string[]): boolean {
  for (const pattern of accept) {
    if (pattern === '*/*' || pattern === mimeType) return true
    if (pattern.endsWith('/*') && mimeType.startsWith(pattern.slice(0, -1))) return true
  }
  return false
}

export function validateBlob(path: string, def: LexBlob, value: unknown): ValidationResult {
  const blob = readBlobRef(value)
  if (!blob) return fail(`${path} should be a blob ref`)
  if (def.accept && !mimeTypeAccepted(blob.mimeType, def.accept)) {
    return fail(`${path} mime type ${blob.mimeType} is not accepted (${def.accept.join(', ')})`)
  }
  if (def.maxSize !== undefined && blob.size > def.maxSize) {
    return fail(`${path} must not be larger than ${def.maxSize} bytes`)
  }
  return ok(value)
}
