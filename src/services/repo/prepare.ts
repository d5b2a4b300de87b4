// Turning XRPC write inputs into prepared writes: $type, rkey, lexicon validation, CID, blob refs
// and backlinks — everything that needs no lock. Mirrors the reference's repo/prepare.ts.
import { CID, encodeBlock } from '../../core/cbor.ts'
import { isBlobRef, jsonToIpld, MAX_RECORD_DEPTH, nestsDeeperThan, type BlobRef } from '../../core/data-model.ts'
import type { Lexicons } from '../../core/lexicon/index.ts'
import { isValidRecordKey, isValidNsid, isValidTid, isValidDid, isValidAtUri, nextTid } from '../../core/syntax/index.ts'
import type { Backlink } from '../../storage/actor/actor-db.ts'
import { InvalidRecordError } from './errors.ts'

/** The spec's limit on one record's DAG-CBOR encoding. */
export const MAX_RECORD_BYTES = 1024 * 1024

export type ValidationStatus = 'valid' | 'unknown'

export type PreparedCreateOrUpdate = {
  action: 'create' | 'update'
  collection: string
  rkey: string
  uri: string
  /** IPLD form */
  record: Record<string, unknown>
  cid: CID
  bytes: Uint8Array
  blobs: BlobRef[]
  backlinks: Backlink[]
  validationStatus?: ValidationStatus
  /** undefined: no check; null: the record must not exist; CID: it must be at that CID. */
  swapCid?: CID | null
}
export type PreparedDelete = {
  action: 'delete'
  collection: string
  rkey: string
  uri: string
  swapCid?: CID | null
}
export type PreparedWrite = PreparedCreateOrUpdate | PreparedDelete

// The record types the reference validates (packages/pds/src/repo/prepare.ts knownSchemas); any
// other type is stored unvalidated with validationStatus "unknown" unless validate=true.
const KNOWN_RECORD_TYPES = [
  'app.bsky.actor.profile',
  'app.bsky.actor.status',
  'app.bsky.feed.generator',
  'app.bsky.feed.like',
  'app.bsky.feed.post',
  'app.bsky.feed.postgate',
  'app.bsky.feed.repost',
  'app.bsky.feed.threadgate',
  'app.bsky.graph.block',
  'app.bsky.graph.follow',
  'app.bsky.graph.list',
  'app.bsky.graph.listblock',
  'app.bsky.graph.listitem',
  'app.bsky.graph.starterpack',
  'app.bsky.graph.verification',
  'app.bsky.labeler.service',
  'app.bsky.notification.declaration',
  'chat.bsky.actor.declaration',
  'com.atproto.lexicon.schema',
  'com.germnetwork.declaration',
]

export class WritePreparer {
  #known: Map<string, string> | undefined

  constructor(private readonly lexicons: Lexicons) {}

  /** Record key type of each known record type; read at the first write, not at startup (it parses their lexicons). */
  private get known(): Map<string, string> {
    if (this.#known) return this.#known
    this.#known = new Map()
    for (const nsid of KNOWN_RECORD_TYPES) {
      const def = this.lexicons.getDef(nsid)
      if (def?.type === 'record') this.#known.set(nsid, (def as { key?: string }).key ?? 'any')
    }
    return this.#known
  }

  prepareCreateOrUpdate(opts: {
    action: 'create' | 'update'
    did: string
    collection: string
    rkey?: string
    record: unknown
    validate?: boolean
    swapCid?: CID | null
  }): PreparedCreateOrUpdate {
    const { did, collection } = opts
    if (!isValidNsid(collection)) throw new InvalidRecordError(`Invalid collection: ${collection}`)
    if (!opts.record || typeof opts.record !== 'object' || Array.isArray(opts.record)) {
      throw new InvalidRecordError('Record must be an object')
    }
    const input = opts.record as Record<string, unknown>
    if (input.$type !== undefined && input.$type !== collection) {
      throw new InvalidRecordError(`Invalid $type: expected ${collection}, got ${String(input.$type)}`)
    }
    if (opts.rkey != null && !isValidRecordKey(opts.rkey)) throw new InvalidRecordError(`Invalid record key: ${opts.rkey}`)
    const rkey = opts.rkey || nextTid()
    if (nestsDeeperThan(input, MAX_RECORD_DEPTH)) throw new InvalidRecordError(`Record nests deeper than ${MAX_RECORD_DEPTH} levels`)
    let record: Record<string, unknown>
    try {
      record = jsonToIpld({ ...input, $type: collection }) as Record<string, unknown>
    } catch (err) {
      throw new InvalidRecordError(`Invalid record: ${(err as Error).message}`)
    }
    const validationStatus = this.validate(record, collection, rkey, opts.validate)
    let block: { cid: CID; bytes: Uint8Array }
    try {
      block = encodeBlock(record)
    } catch (err) {
      throw new InvalidRecordError(`Bad record: ${(err as Error).message}`)
    }
    if (block.bytes.length > MAX_RECORD_BYTES) throw new InvalidRecordError(`Record too large: ${block.bytes.length} bytes (max ${MAX_RECORD_BYTES})`)
    const uri = `at://${did}/${collection}/${rkey}`
    return {
      action: opts.action,
      collection,
      rkey,
      uri,
      record,
      cid: block.cid,
      bytes: block.bytes,
      blobs: findBlobRefs(record),
      backlinks: backlinksOf(record),
      validationStatus,
      swapCid: opts.swapCid,
    }
  }

  prepareDelete(opts: { did: string; collection: string; rkey: string; swapCid?: CID | null }): PreparedDelete {
    if (!isValidNsid(opts.collection)) throw new InvalidRecordError(`Invalid collection: ${opts.collection}`)
    if (!isValidRecordKey(opts.rkey)) throw new InvalidRecordError(`Invalid record key: ${opts.rkey}`)
    return {
      action: 'delete',
      collection: opts.collection,
      rkey: opts.rkey,
      uri: `at://${opts.did}/${opts.collection}/${opts.rkey}`,
      swapCid: opts.swapCid,
    }
  }

  private validate(record: Record<string, unknown>, type: string, rkey: string, validate?: boolean): ValidationStatus | undefined {
    if (validate === false) return undefined
    const keyType = this.known.get(type)
    if (keyType === undefined) {
      if (validate === true) throw new InvalidRecordError(`Unknown lexicon type: ${type}`)
      return 'unknown'
    }
    const keyProblem = checkRecordKeyType(keyType, rkey)
    if (keyProblem) throw new InvalidRecordError(`Invalid record key for ${type}: ${keyProblem}`)
    const result = this.lexicons.validateRecord(type, record)
    if (!result.success) throw new InvalidRecordError(`Invalid ${type} record: ${result.error.message}`)
    return 'valid'
  }
}

function checkRecordKeyType(keyType: string, rkey: string): string | null {
  if (keyType === 'tid') return isValidTid(rkey) ? null : 'must be a valid TID'
  if (keyType === 'nsid') return isValidNsid(rkey) ? null : 'must be a valid NSID'
  if (keyType.startsWith('literal:')) {
    const literal = keyType.slice('literal:'.length)
    return rkey === literal ? null : `must be "${literal}"`
  }
  return null
}

/** Every blob ref anywhere in an IPLD value. */
export function findBlobRefs(value: unknown, out: BlobRef[] = []): BlobRef[] {
  if (Array.isArray(value)) {
    for (const item of value) findBlobRefs(item, out)
  } else if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !CID.asCID(value)) {
    if (isBlobRef(value, { strict: false })) out.push(value)
    else for (const item of Object.values(value)) findBlobRefs(item, out)
  }
  return out
}

/**
 * The links the reference indexes to keep likes, reposts, follows and blocks unique per subject
 * (packages/pds/src/actor-store/record/reader.ts getBacklinks).
 */
export function backlinksOf(record: Record<string, unknown>): Backlink[] {
  const type = record.$type
  if (type === 'app.bsky.graph.follow' || type === 'app.bsky.graph.block') {
    const subject = record.subject
    return typeof subject === 'string' && isValidDid(subject) ? [{ path: 'subject', linkTo: subject }] : []
  }
  if (type === 'app.bsky.feed.like' || type === 'app.bsky.feed.repost') {
    const uri = (record.subject as { uri?: unknown } | undefined)?.uri
    return typeof uri === 'string' && isValidAtUri(uri) ? [{ path: 'subject.uri', linkTo: uri }] : []
  }
  return []
}
