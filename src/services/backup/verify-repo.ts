// Proves one actor store is sound: its repo, read from repo_block, verifies against the account's
// signing key with the core verifier, and every blob it references is on disk with the right CID.
import { existsSync, readFileSync } from 'node:fs'
import { KeyFiles } from '../../storage/key-files.ts'
import { CID, cidForRaw, parseCid } from '../../core/cbor.ts'
import { carToBytes } from '../../core/car.ts'
import { Secp256k1Keypair, verifySignature } from '../../core/crypto/index.ts'
import { verifyRepoCar, walkRepoBlocks } from '../../core/repo/index.ts'
import { join } from 'node:path'
import { blobFilePath } from './layout.ts'
import { ActorStoreFile } from '../../storage/actor/store-file.ts'

export type ActorStoreCheck = { did: string; rev: string; records: number; blobs: number; problems: string[] }

export function verifyActorStore(opts: { did: string; storePath: string; keyPath: string; blobDirectory: string | null; keys?: KeyFiles }): ActorStoreCheck {
  const result: ActorStoreCheck = { did: opts.did, rev: '', records: 0, blobs: 0, problems: [] }
  const db = new ActorStoreFile(opts.storePath)
  try {
    const root = db.root()
    if (!root) {
      result.problems.push('no repo root')
      return result
    }
    result.rev = root.rev
    if (root.did !== opts.did) result.problems.push(`repo_root is for ${root.did}, folder is ${opts.did}`)
    if (!existsSync(opts.keyPath)) {
      result.problems.push('signing key file is missing')
      return result
    }
    let key: Secp256k1Keypair
    try {
      key = Secp256k1Keypair.import((opts.keys ?? new KeyFiles()).read(opts.keyPath, opts.did))
    } catch (err) {
      result.problems.push(`signing key: ${(err as Error).message}`)
      return result
    }
    const reader = { get: (cid: CID) => db.getBlock(cid.toString()) }
    try {
      const rootCid = parseCid(root.cid)
      const car = carToBytes(rootCid, walkRepoBlocks(reader, rootCid))
      const verified = verifyRepoCar(car, opts.did, (data, sig) => verifySignature(key.did(), data, sig))
      result.records = verified.records.length
      if (verified.commit.rev !== root.rev) result.problems.push(`commit rev ${verified.commit.rev} != repo_root rev ${root.rev}`)
    } catch (err) {
      result.problems.push(`repo does not verify: ${(err as Error).message}`)
    }
    if (opts.blobDirectory) checkBlobs(db, opts.did, opts.blobDirectory, result)
  } finally {
    db.close()
  }
  return result
}

function checkBlobs(db: ActorStoreFile, did: string, blobDirectory: string, result: ActorStoreCheck): void {
  for (const cid of db.referencedBlobCids()) {
    result.blobs++
    // A taken-down blob lives in quarantine/<did>/<cid> (see DiskBlobStore.quarantine).
    const path = [blobFilePath(blobDirectory, did, cid), join(blobDirectory, 'quarantine', did, cid)].find((p) => existsSync(p))
    if (!path) {
      result.problems.push(`blob ${cid} is missing`)
      continue
    }
    const actual = cidForRaw(new Uint8Array(readFileSync(path)))
    if (actual.toString() !== cid) result.problems.push(`blob ${cid} holds other bytes (${actual})`)
  }
}
