// Signing keys reserved ahead of account creation (com.atproto.server.reserveSigningKey), one file
// each under <actor store>/reserved_keys/, named by the DID they were reserved for or else by the
// key's own did:key, as the reference.
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Secp256k1Keypair } from '../../core/crypto/index.ts'
import { KeyFiles } from '../key-files.ts'

/** A DID or did:key is a safe file name only without path separators or dot segments. */
function safeName(name: string): string {
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.includes('\0')) {
    throw new Error(`unsafe reserved key name: ${name}`)
  }
  return name
}

export class ReservedKeys {
  private readonly dir: string

  constructor(
    actorStoreDirectory: string,
    /** Sealed at rest like account keys, bound to the name the key is reserved under. */
    private readonly keys: KeyFiles = new KeyFiles(),
  ) {
    this.dir = join(actorStoreDirectory, 'reserved_keys')
  }

  /** The did:key of the key reserved for `did` (created on first call), or of a new unnamed reservation. */
  reserve(did?: string): string {
    if (did) {
      const existing = this.get(did)
      if (existing) return existing.did()
    }
    const keypair = Secp256k1Keypair.create()
    this.write(did ?? keypair.did(), keypair.exportPrivateKey())
    return keypair.did()
  }

  /** The reserved keypair named by a DID or by its did:key, if any. */
  get(didOrKeyDid: string): Secp256k1Keypair | null {
    const path = join(this.dir, safeName(didOrKeyDid))
    if (!existsSync(path)) return null
    return Secp256k1Keypair.import(this.keys.read(path, didOrKeyDid))
  }

  clear(keyDid: string, did?: string): void {
    for (const name of did ? [keyDid, did] : [keyDid]) rmSync(join(this.dir, safeName(name)), { force: true })
  }

  /** Written whole and synced before it is answered: a key handed out must survive a crash. */
  private write(name: string, bytes: Uint8Array): void {
    this.keys.write(join(this.dir, safeName(name)), bytes, name)
  }
}
