// com.atproto.sync.getRepo without `since`: every row of the actor store's repo_block table as a CAR,
// as the reference streams it (block order does not matter for a full repo; the root is the commit).
// No MST walk, no CID objects: the text CID is decoded straight to bytes and each frame is copied
// once into one of two ~64 KB chunk buffers that take turns (the HTTP response copies each chunk
// before it asks for the next). Memory stays at two chunks plus SQLite's page cache, whatever the
// repo size, as long as the collector keeps up with the rows read.
import { Database } from 'bun:sqlite'
import { edenGC } from 'bun:jsc'
import { CarChunkWriter } from '../../core/car.ts'
import { CID, decodeBase32Multibase, parseCid } from '../../core/cbor.ts'

/**
 * Every row read allocates (a row object, the CID string, a copy of the BLOB: ~3 MB of garbage for
 * a 10k-record repo), and the collector, left alone, lets a 100k-record export's ~30 MB of dead rows
 * pile up before it runs: RSS would grow with the repo. The rows are young garbage, so an eden
 * collection every 256 KB sent keeps RSS flat; it only visits what was allocated since the last one,
 * so its cost does not grow with the server's heap as Bun.gc()'s full collection does (bench, 10k
 * records: server RSS growth 2.5-5.8 MB with a full collection every 1 MB; 0.3-2.0 MB with an eden
 * one every 256 KB, server CPU per export about the same; every 128 KB cost ~30% more CPU for no
 * less memory). Fetching the rows a page at a time with group_concat (three values per page, not
 * three per row) was tried: its per-page sorts and string building made the export slower and RSS
 * growth no smaller.
 */
const GC_EVERY_CHUNKS = 4

/**
 * Streams the repo of one actor database file. The export reads from its own connection inside one
 * read transaction, so it sees a single snapshot (WAL): the root and the blocks always match, even
 * when a commit lands (and deletes replaced blocks) while a slow client is still downloading.
 * Returns null when the repo has no root. Each chunk is valid until the next one is pulled.
 */
export function fullRepoCar(dbLocation: string): Generator<Uint8Array> | null {
  const db = new Database(dbLocation, { readwrite: true, create: false })
  try {
    db.exec('PRAGMA busy_timeout = 5000')
    // One sequential scan: a page cache would only hold pages never read again.
    db.exec('PRAGMA cache_size = -128')
    db.exec('BEGIN')
    const root = db.query<{ cid: string }, []>('SELECT cid FROM repo_root LIMIT 1').get()
    if (!root) {
      close(db)
      return null
    }
    return streamBlocks(db, parseCid(root.cid))
  } catch (err) {
    close(db)
    throw err
  }
}

function* streamBlocks(db: Database, root: CID): Generator<Uint8Array> {
  try {
    const rows = db.query<{ cid: string; content: Uint8Array }, []>('SELECT cid, content FROM repo_block').iterate()
    const car = new CarChunkWriter(root)
    let chunks = 0
    for (const row of rows) {
      const chunk = car.add(cidStringToBytes(row.cid), row.content)
      if (!chunk) continue
      yield chunk
      if (++chunks % GC_EVERY_CHUNKS === 0) edenGC()
    }
    const last = car.end()
    if (last) yield last
  } finally {
    close(db)
  }
}

function close(db: Database) {
  try {
    db.exec('COMMIT')
  } catch {}
  db.close()
}

const scratch = new Uint8Array(128)
/** Views of `scratch` by length, made once (CIDs of a repo all have the same length). */
const scratchViews: Uint8Array[] = []

/**
 * The binary CID of its text form (multibase base32: every CIDv1 the repo stores; anything else is
 * parsed). The returned view is only valid until the next call.
 */
export function cidStringToBytes(text: string): Uint8Array {
  const len = decodeBase32Multibase(text, scratch)
  if (len < 0) return CID.parse(text).bytes
  return (scratchViews[len] ??= scratch.subarray(0, len))
}
