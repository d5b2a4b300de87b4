// importRepo: replace an account's repo with the contents of a CAR (account migration). The CAR is
// verified (every block hash, one root, the commit's DID, a canonical MST, every record present),
// then re-signed with this account's key as a new commit and indexed in one transaction.
// Blobs the records reference are linked in record_blob; listMissingBlobs reports those not uploaded.
import { encodeBlock } from '../../core/cbor.ts'
import { signCommit } from '../../core/commit.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import { verifyRepoCar } from '../../core/repo/index.ts'
import { walkRepoBlocks } from '../../core/repo/index.ts'
import { nextTid } from '../../core/syntax/index.ts'
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import { tooLarge } from '../errors.ts'
import { backlinksOf, findBlobRefs } from './prepare.ts'

export async function readLimited(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(`Repo import is larger than ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export type ImportResult = { cid: ReturnType<typeof encodeBlock>['cid']; rev: string; bytes: Uint8Array; records: number }

/** Verifies the CAR and builds everything to write; throws before anything is changed. */
export function importCar(db: ActorDb, carBytes: Uint8Array, key: Keypair): ImportResult {
  // The old commit may be signed by another PDS's key: its signature is not ours to check.
  const verified = verifyRepoCar(carBytes, db.did, () => true)
  const current = db.getRoot()
  const rev = nextTid(current?.rev)
  const commit = signCommit({ did: db.did, version: 3, data: verified.commit.data, rev, prev: null }, key)
  const commitBlock = encodeBlock(commit)
  const reader = {
    get: (cid: { toString(): string }) =>
      cid.toString() === commitBlock.cid.toString() ? commitBlock.bytes : verified.blocks.get(cid.toString())?.bytes,
  }
  // Only the blocks reachable from the new commit are kept (a CAR may carry extra ones).
  const blocks = [...walkRepoBlocks(reader, commitBlock.cid)]
  const now = new Date().toISOString()
  db.transact(() => {
    db.deleteAllRepoData()
    for (const block of blocks) db.putBlock(block.cid, block.bytes, rev)
    db.setRoot(commitBlock.cid, rev, now)
    for (const record of verified.records) {
      const uri = `at://${db.did}/${record.collection}/${record.rkey}`
      db.upsertRecord(uri, record.cid.toString(), record.collection, record.rkey, rev, now)
      if (record.record && typeof record.record === 'object') {
        db.setBacklinks(uri, backlinksOf(record.record as Record<string, unknown>))
        for (const blob of findBlobRefs(record.record)) db.linkRecordBlob(blob.ref.toString(), uri)
      }
    }
  })
  return { cid: commitBlock.cid, rev, bytes: commitBlock.bytes, records: verified.records.length }
}
