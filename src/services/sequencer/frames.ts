// Event-stream frames (atproto event-stream spec): DAG-CBOR header followed by DAG-CBOR body,
// one binary WebSocket message each. Built once per event and shared by every subscriber.
import { decodeCbor, encodeCbor } from '../../core/cbor.ts'
import type { SeqEventType } from './events.ts'
import type { SeqRow } from '../../storage/sequencer/repo-seq.ts'

export type { SeqRow }

const MESSAGE_TYPE: Record<SeqEventType, string> = {
  append: '#commit',
  sync: '#sync',
  identity: '#identity',
  account: '#account',
}

// A frame's header depends only on its type: encode each once.
const HEADERS = new Map<string, Uint8Array>()

export function messageFrame(type: string, body: Record<string, unknown>): Uint8Array {
  let header = HEADERS.get(type)
  if (!header) HEADERS.set(type, (header = encodeCbor({ op: 1, t: type })))
  return concat(header, encodeCbor(body))
}

export function errorFrame(error: string, message?: string): Uint8Array {
  return concat(encodeCbor({ op: -1 }), encodeCbor(message === undefined ? { error } : { error, message }))
}

export function infoFrame(name: 'OutdatedCursor', message: string): Uint8Array {
  return messageFrame('#info', { name, message })
}

/**
 * The wire frame of a stored event: its body plus seq and time. `body`, when given, is the object
 * `row.event` encodes (a just-appended event), which spares decoding the bytes again.
 */
export function frameForRow(row: SeqRow, body?: Record<string, unknown>): Uint8Array | null {
  const type = MESSAGE_TYPE[row.eventType as SeqEventType]
  if (!type) return null
  const fields = body ?? decodeCbor<Record<string, unknown>>(row.event)
  return messageFrame(type, { ...fields, seq: row.seq, time: row.sequencedAt })
}

/** Splits a frame into header and body (tests and tools). */
export function decodeFrame(bytes: Uint8Array): { header: { op: number; t?: string }; body: any } {
  const headerLen = cborItemLength(bytes, 0)
  return {
    header: decodeCbor(bytes.subarray(0, headerLen)) as { op: number; t?: string },
    body: decodeCbor(bytes.subarray(headerLen)),
  }
}

/** Byte length of the CBOR item at `pos`, for the kinds a frame header holds (ints, text, maps). */
function cborItemLength(bytes: Uint8Array, pos: number): number {
  const initial = bytes[pos]
  if (initial === undefined) throw new Error('frame is truncated')
  const major = initial >> 5
  const info = initial & 0x1f
  let arg = info
  let len = 1
  if (info === 24) ((arg = bytes[pos + 1]!), (len = 2))
  else if (info === 25) ((arg = (bytes[pos + 1]! << 8) | bytes[pos + 2]!), (len = 3))
  else if (info === 26) ((arg = new DataView(bytes.buffer, bytes.byteOffset + pos + 1, 4).getUint32(0)), (len = 5))
  else if (info > 26) throw new Error('unsupported CBOR in frame header')
  if (major === 0 || major === 1) return len
  if (major === 2 || major === 3) return len + arg
  if (major === 5) {
    let end = pos + len
    for (let i = 0; i < arg * 2; i++) end += cborItemLength(bytes, end)
    return end - pos
  }
  throw new Error('unsupported CBOR in frame header')
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
