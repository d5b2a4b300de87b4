// What accounts need from the repo side (REPO helper's RepoService on services.repo implements it).
// Until services.repo exists, KeyFileRepo stands in: it stores the signing key where the actor store
// expects it and computes the genesis commit, without an actor store.
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { genesisOf, type GenesisCommit, type SyncEventData } from '../events.ts'
import { Secp256k1Keypair, type Keypair } from '../../core/crypto/index.ts'
import { createEmptyRepo } from '../../core/repo/index.ts'
import { nextTid } from '../../core/syntax/index.ts'
import { KeyFiles } from '../../storage/key-files.ts'

export interface RepoLifecycle {
  /** Sequences nothing: createAccount emits the returned genesis events in the reference's order. */
  createRepo(did: string, signingKey: Keypair): Promise<GenesisCommit>
  deleteRepo(did: string): Promise<void>
  signingKey(did: string): Keypair
  /** The current commit for the #sync that activation emits. */
  syncEventData(did: string): SyncEventData | null
}

export function actorDir(actorStoreDirectory: string, did: string): string {
  const prefix = createHash('sha256').update(did).digest('hex').slice(0, 2)
  return join(actorStoreDirectory, prefix, did)
}

export class KeyFileRepo implements RepoLifecycle {
  constructor(
    private readonly actorStoreDirectory: string,
    private readonly keys: KeyFiles = new KeyFiles(),
  ) {}

  async createRepo(did: string, signingKey: Keypair) {
    const dir = actorDir(this.actorStoreDirectory, did)
    if (existsSync(join(dir, 'key'))) throw new Error(`repo already exists: ${did}`)
    this.keys.write(join(dir, 'key'), signingKey.exportPrivateKey(), did)
    return genesisOf(did, createEmptyRepo(did, signingKey, nextTid()))
  }

  syncEventData(): SyncEventData | null {
    return null // no actor store behind this stand-in
  }

  async deleteRepo(did: string) {
    rmSync(actorDir(this.actorStoreDirectory, did), { recursive: true, force: true })
  }

  signingKey(did: string): Keypair {
    return Secp256k1Keypair.import(this.keys.read(join(actorDir(this.actorStoreDirectory, did), 'key'), did))
  }
}
