// Record reads from the actor store's index: getRecord, listRecords, describeRepo's collections.
import { CID, decodeCbor } from '../../core/cbor.ts'
import { ipldToJson } from '../../core/data-model.ts'
import { dagCborToJsonText } from '../../core/cbor-json.ts'
import type { ActorDb, RecordRow } from '../../storage/actor/actor-db.ts'

export type RecordView = { uri: string; cid: string; value: unknown }

function toView(db: ActorDb, row: RecordRow): RecordView | null {
  const bytes = db.getBlock(row.cid)
  if (!bytes) return null
  return { uri: row.uri, cid: row.cid, value: ipldToJson(decodeCbor(bytes)) }
}

/** A record by collection and rkey; with `cid`, only if it is still at that version. Taken-down ones only for moderators. */
export function readRecord(db: ActorDb, collection: string, rkey: string, cid?: string, includeTakenDown = false): RecordView | null {
  const row = db.getRecordRow(collection, rkey)
  if (!row || (row.takedownRef && !includeTakenDown)) return null
  if (cid !== undefined && CID.parse(cid).toString() !== row.cid) return null
  return toView(db, row)
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
  const rows = db.listRecords(collection, opts).filter((row) => !row.takedownRef)
  const records: RecordView[] = []
  for (const row of rows) if (row.content) records.push({ uri: row.uri, cid: row.cid, value: ipldToJson(decodeCbor(row.content)) })
  const last = rows.at(-1)
  return { records, cursor: last?.rkey }
}

/**
 * readRecordPage as the JSON text of listRecords' output (`{records, cursor}`): each record's CBOR
 * goes straight to JSON text, with no decoded objects in between.
 */
export function readRecordPageJson(db: ActorDb, collection: string, opts: { limit: number; cursor?: string; reverse?: boolean }): string {
  const rows = db.listRecords(collection, opts).filter((row) => !row.takedownRef)
  let records = ''
  for (const row of rows) {
    if (!row.content) continue
    const value = dagCborToJsonText(row.content) ?? JSON.stringify(ipldToJson(decodeCbor(row.content)))
    records += `${records ? ',' : ''}{"uri":${JSON.stringify(row.uri)},"cid":${JSON.stringify(row.cid)},"value":${value}}`
  }
  const last = rows.at(-1)
  return `{"records":[${records}]${last ? `,"cursor":${JSON.stringify(last.rkey)}` : ''}}`
}
