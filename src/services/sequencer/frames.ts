// Event-stream frames (atproto event-stream spec): DAG-CBOR header followed by DAG-CBOR body,
// one binary WebSocket message each. Built once per event and shared by every subscriber.
import { decodeCbor, encodeCbor } from '../../core/cbor.ts'
import type { SeqEventType } from './events.ts'

export type SeqRow = {
  seq: number
  did: string
  eventType: string
  event: Uint8Array
  sequencedAt: string
}

const MESSAGE_TYPE: Record<SeqEventType, string> = {
  append: '#commit',
  sync: '#sync',
  identity: '#identity',
  account: '#account',
}

export function messageFrame(type: string, body: Record<string, unknown>): Uint8Array {
  return concat(encodeCbor({ op: 1, t: type }), encodeCbor(body))
}

export function errorFrame(error: string, message?: string): Uint8Array {
  return concat(encodeCbor({ op: -1 }), encodeCbor(message === undefined ? { error } : { error, message }))
}

export function infoFrame(name: 'OutdatedCursor', message: string): Uint8Array {
  return messageFrame('#info', { name, message })
}

/** The wire frame of a stored event: its body plus seq and time. */
export function frameForRow(row: SeqRow): Uint8Array | null {
  const type = MESSAGE_TYPE[row.eventType as SeqEventType]
  if (!type) return null
  const body = decodeCbor<Record<string, unknown>>(row.event)
  return messageFrame(type, { ...body, seq: row.seq, time: row.sequencedAt })
}

/** Splits a frame into header and body (tests and tools). */
export function decodeFrame(bytes: Uint8Array): {
  header: { op: number; t?: string }
  body: any
} {
  // The header is small: find where it ends by re-encoding it (DAG-CBOR is canonical).
  const header = decodeFirst(bytes)
  const headerLen = encodeCbor(header).length
  return {
    header: header as { op: number; t?: string },
    body: decodeCbor(bytes.subarray(headerLen)),
  }
}

function decodeFirst(bytes: Uint8Array): unknown {
  // @ipld/dag-cbor rejects trailing bytes, so grow the prefix until the header parses.
  for (let end = 1; end <= Math.min(bytes.length, 64); end++) {
    try {
      return decodeCbor(bytes.subarray(0, end))
    } catch {}
  }
  throw new Error('frame header is not DAG-CBOR')
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
