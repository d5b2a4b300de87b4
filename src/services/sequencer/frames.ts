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

/**
 * Wire frames of stored events without decoding them: a stored body is a canonical DAG-CBOR map,
 * so `seq` and `time` are spliced into it at their canonical places (keys sort by length, then
 * bytes), and each result is byte-identical to frameForRow's. A page of frames shares one buffer:
 * allocating a typed array costs about as much as the rest of the splice. Replay from storage then
 * costs a scan of each body's first keys and one copy, not a decode and an encode. Rows that are
 * not such a map fall back to frameForRow.
 */
export function framesFromStored(rows: SeqRow[]): Array<Uint8Array | null> {
  const plans = rows.map(planSplice)
  let total = 0
  for (const plan of plans) if (plan) total += plan.size
  const buffer = new Uint8Array(total)
  let at = 0
  return rows.map((row, i) => {
    const plan = plans[i]
    if (!plan) return frameForRow(row)
    const frame = buffer.subarray(at, at + plan.size)
    writeSplice(plan, frame)
    at += plan.size
    return frame
  })
}

// "seq" and "time" as CBOR text keys; their places among the keys are found by this ordering.
const SEQ_KEY = Uint8Array.of(0x63, 0x73, 0x65, 0x71)
const TIME_KEY = Uint8Array.of(0x64, 0x74, 0x69, 0x6d, 0x65)

type SplicePlan = { header: Uint8Array; body: Uint8Array; count: number; seqAt: number; timeAt: number; seq: number; time: string; size: number }

function planSplice(row: SeqRow): SplicePlan | null {
  const type = MESSAGE_TYPE[row.eventType as SeqEventType]
  if (!type) return null
  let header = HEADERS.get(type)
  if (!header) HEADERS.set(type, (header = encodeCbor({ op: 1, t: type })))
  const { event: body, seq, sequencedAt: time } = row
  const first = body[0]
  if (first === undefined || first >> 5 !== 5 || (first & 0x1f) > 21) return null // a map of <= 21 entries
  const count = first & 0x1f
  // Offsets in `body` where seq and time go: before the first key that sorts after each. Keys are
  // in canonical order, so the walk stops at the first key after "time"; the rest is copied as is.
  let seqAt = -1
  let timeAt = -1
  let pos = 1
  for (let i = 0; i < count; i++) {
    const initial = body[pos]!
    if (initial >> 5 !== 3 || (initial & 0x1f) >= 24) return null
    const len = initial & 0x1f
    if (seqAt < 0) {
      const bySeq = len === 3 ? compareAt(body, pos + 1, SEQ_KEY) : len < 3 ? 1 : -1
      if (bySeq === 0) return null
      if (bySeq < 0) seqAt = pos
    }
    const byTime = len === 4 ? compareAt(body, pos + 1, TIME_KEY) : len < 4 ? 1 : -1
    if (byTime === 0) return null
    if (byTime < 0) {
      timeAt = pos
      break
    }
    pos = cborItemEnd(body, pos + 1 + len)
    if (pos < 0) return null
  }
  if (timeAt < 0) {
    if (pos !== body.length) return null
    timeAt = pos
  }
  if (seqAt < 0) seqAt = timeAt
  if (!Number.isSafeInteger(seq) || seq < 0) return null
  if (!isAscii(time)) return null // ISO timestamps are ASCII
  const size = header.length + body.length + SEQ_KEY.length + uintHeadLength(seq) + TIME_KEY.length + uintHeadLength(time.length) + time.length
  return { header, body, count, seqAt, timeAt, seq, time, size }
}

function writeSplice(plan: SplicePlan, out: Uint8Array): void {
  const { header, body, seqAt, timeAt, time } = plan
  let at = 0
  for (let i = 0; i < header.length; i++) out[at++] = header[i]!
  out[at++] = 0xa0 | (plan.count + 2)
  // seq (length 3) always sorts before time (length 4), so seqAt <= timeAt. The keys before them
  // are short: byte loops beat creating subarray views; the long tail is one bulk copy.
  for (let i = 1; i < seqAt; i++) out[at++] = body[i]!
  for (let i = 0; i < SEQ_KEY.length; i++) out[at++] = SEQ_KEY[i]!
  at = writeHead(out, at, 0, plan.seq)
  for (let i = seqAt; i < timeAt; i++) out[at++] = body[i]!
  for (let i = 0; i < TIME_KEY.length; i++) out[at++] = TIME_KEY[i]!
  at = writeHead(out, at, 3, time.length)
  for (let i = 0; i < time.length; i++) out[at++] = time.charCodeAt(i)
  out.set(timeAt === 0 ? body : body.subarray(timeAt), at)
}

function isAscii(text: string): boolean {
  if (text.length > 0xffff) return false
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** Bytewise order of the stored key at `start` against `key` (same length): < 0 when the stored one is after. */
function compareAt(bytes: Uint8Array, start: number, key: Uint8Array): number {
  for (let i = 1; i < key.length; i++) {
    const d = bytes[start + i - 1]! - key[i]!
    if (d !== 0) return d > 0 ? -1 : 1
  }
  return 0
}

function uintHeadLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

/** Writes a CBOR head (major type and argument) at `at`; returns the position after it. */
function writeHead(out: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) out[at++] = m | n
  else if (n < 0x100) ((out[at++] = m | 24), (out[at++] = n))
  else if (n < 0x10000) ((out[at++] = m | 25), (out[at++] = n >> 8), (out[at++] = n & 0xff))
  else if (n < 0x100000000) {
    out[at++] = m | 26
    new DataView(out.buffer, out.byteOffset + at, 4).setUint32(0, n)
    at += 4
  } else {
    out[at++] = m | 27
    new DataView(out.buffer, out.byteOffset + at, 8).setBigUint64(0, BigInt(n))
    at += 8
  }
  return at
}

/** Where the CBOR item starting at `pos` ends, walking nested items without decoding them; -1 if malformed. */
function cborItemEnd(bytes: Uint8Array, pos: number): number {
  let pending = 1
  while (pending > 0) {
    if (pos >= bytes.length) return -1
    const initial = bytes[pos++]!
    const major = initial >> 5
    const info = initial & 0x1f
    let arg = info
    if (info === 24) arg = bytes[pos++]!
    else if (info === 25) ((arg = (bytes[pos]! << 8) | bytes[pos + 1]!), (pos += 2))
    else if (info === 26) ((arg = ((bytes[pos]! << 24) >>> 0) + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!)), (pos += 4))
    else if (info === 27) {
      if (major !== 0 && major !== 1 && major !== 7) return -1 // no 2^32-long strings or collections here
      pos += 8
    } else if (info > 27) return -1 // indefinite lengths are not DAG-CBOR
    pending--
    if (major === 2 || major === 3) pos += arg
    else if (major === 4) pending += arg
    else if (major === 5) pending += 2 * arg
    else if (major === 6) pending += 1
  }
  return pos > bytes.length ? -1 : pos
}

/** Splits a frame into header and body (tests and tools). */
export function decodeFrame(bytes: Uint8Array): { header: { op: number; t?: string }; body: any } {
  const headerLen = cborItemEnd(bytes, 0)
  if (headerLen < 0) throw new Error('frame header is not valid CBOR')
  return {
    header: decodeCbor(bytes.subarray(0, headerLen)) as { op: number; t?: string },
    body: decodeCbor(bytes.subarray(headerLen)),
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
