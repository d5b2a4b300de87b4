// Verify a whole-repo CAR: signed commit for the expected DID, every block hash, every record
// present, and an MST in canonical form (rebuilding it from its entries gives the same root).
import { CID, decodeCbor } from '../cbor.ts'
import { readCar, type ReadCarOptions } from '../car.ts'
import { decodeCommit, verifyCommitSignature, type Commit, type VerifyFn } from '../commit.ts'
import { Mst, buildMst, type Block } from '../mst/index.ts'
import { RepoVerificationError } from './errors.ts'

export interface VerifiedRecord {
  collection: string
  rkey: string
  cid: CID
  record: unknown
}

export interface VerifiedRepo {
  commit: Commit
  commitCid: CID
  records: VerifiedRecord[]
  blocks: Map<string, Block>
}

export function verifyRepoCar(
  bytes: Uint8Array,
  did: string,
  verify: VerifyFn,
  opts: ReadCarOptions = {},
): VerifiedRepo {
  const car = readCar(bytes, opts)
  const commitCid = car.roots[0]
  if (car.roots.length !== 1 || !commitCid) throw new RepoVerificationError('repo CAR must have one root')
  const reader = { get: (cid: CID) => car.blocks.get(cid.toString())?.bytes }
  const commitBytes = reader.get(commitCid)
  if (!commitBytes) throw new RepoVerificationError('repo CAR is missing its commit block')
  const commit = decodeCommit(commitBytes)
  if (commit.did !== did) throw new RepoVerificationError(`commit is for ${commit.did}, expected ${did}`)
  if (!verifyCommitSignature(commit, verify)) throw new RepoVerificationError('invalid commit signature')

  const entries: Array<{ key: string; value: CID }> = []
  let rebuilt: CID
  try {
    let previous: string | null = null
    for (const entry of Mst.load(reader, commit.data).list()) {
      if (previous !== null && entry.key <= previous) throw new Error('keys out of order')
      previous = entry.key
      entries.push(entry)
    }
    rebuilt = buildMst(entries).rootCid()
  } catch (err) {
    // Missing nodes, undecodable nodes and invalid keys all mean a broken repo.
    throw new RepoVerificationError(`invalid MST: ${(err as Error).message}`)
  }
  if (!rebuilt.equals(commit.data)) throw new RepoVerificationError('MST is not in canonical form')

  const records = entries.map(({ key, value }) => {
    const recordBytes = reader.get(value)
    if (!recordBytes) throw new RepoVerificationError(`missing record block for ${key}`)
    let record: unknown
    try {
      record = decodeCbor(recordBytes)
    } catch {
      throw new RepoVerificationError(`record ${key} is not DAG-CBOR`)
    }
    const slash = key.indexOf('/')
    return { collection: key.slice(0, slash), rkey: key.slice(slash + 1), cid: value, record }
  })
  return { commit, commitCid, records, blocks: car.blocks }
}
