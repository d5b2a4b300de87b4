// Record reads from the actor store's index: getRecord, listRecords, describeRepo's collections.
import { decodeCbor, parseCid } from '../../core/cbor.ts'
import { ipldToJson } from '../../core/data-model.ts'
import { JsonBytes } from '../../core/cbor-json.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'

export type RecordView = { uri: string; cid: string; value: unknown }

/** A record by collection and rkey; with `cid`, only if it is still at that version. Taken-down ones only for moderators. */
export function readRecord(db: ActorDb, collection: string, rkey: string, cid?: string, includeTakenDown = false): RecordView | null {
  const row = db.getRecordWithBlock(collection, rkey)
  if (!row) return null
  const [uri, recordCid, takedownRef, content] = row
  if (takedownRef && !includeTakenDown) return null
  if (cid !== undefined && parseCid(cid).toString() !== recordCid) return null
  if (!content) return null
  return { uri, cid: recordCid, value: ipldToJson(decodeCbor(content)) }
}

/**
 * A page of a collection, newest rkey first (or oldest first with `reverse`). The cursor is the
 * last rkey returned, so pages stay stable while records are added (as the reference).
 */
export function readRecordPage(
  db: ActorDb,
  collection: string,
  opts: { limit: number; cursor?: string; reverse?: boolean },
): { records: RecordView[]; cursor?: string } {
  const rows = db.listRecords(collection, opts)
  const records = rows.map((row) => ({ uri: row.uri, cid: row.cid, value: ipldToJson(decodeCbor(row.content)) }))
  const last = rows.at(-1)
  return { records, cursor: last?.rkey }
}

/**
 * readRecordPage as the UTF-8 JSON of listRecords' output (`{records, cursor}`), ready to send: the
 * index row and block of each record come from one statement, and each record's CBOR goes straight to
 * JSON bytes, with no decoded objects or strings in between. Each URI is written from the page's
 * prefix and the rkey, not read: one string fewer a record (8-11% more pages a second here).
 */
export function readRecordPageJson(db: ActorDb, collection: string, opts: { limit: number; cursor?: string; reverse?: boolean }): Uint8Array {
  const rows = db.listRecordValues(collection, opts)
  const uriPrefix = `at://${db.did}/${collection}/`
  const json = JsonBytes.scratch.begin()
  json.ascii('{"records":[')
  for (let i = 0; i < rows.length; i++) {
    const [cid, rkey, content] = rows[i]!
    json.ascii(i ? ',{"uri":' : '{"uri":')
    json.string(rkey, uriPrefix)
    json.ascii(',"cid":')
    json.string(cid)
    json.ascii(',"value":')
    if (!json.dagCbor(content)) json.text(JSON.stringify(ipldToJson(decodeCbor(content))))
    json.ascii('}')
  }
  json.ascii(']')
  const last = rows.at(-1)
  if (last) {
    json.ascii(',"cursor":')
    json.string(last[1])
  }
  json.ascii('}')
  return json.take()
}
