// Signing keys reserved ahead of account creation (com.atproto.server.reserveSigningKey), one file
// each under <actor store>/reserved_keys/, named by the DID they were reserved for or else by the
// key's own did:key, as the reference.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Secp256k1Keypair } from '../../core/crypto/index.ts'

/** A DID or did:key is a safe file name only without path separators or dot segments. */
function safeName(name: string): string {
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.includes('\0')) {
    throw new Error(`unsafe reserved key name: ${name}`)
  }
  return name
}

export class ReservedKeys {
  private readonly dir: string

  constructor(actorStoreDirectory: string) {
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
    return Secp256k1Keypair.import(new Uint8Array(readFileSync(path)))
  }

  clear(keyDid: string, did?: string): void {
    for (const name of did ? [keyDid, did] : [keyDid]) rmSync(join(this.dir, safeName(name)), { force: true })
  }

  /** Written whole and synced before it is answered: a key handed out must survive a crash. */
  private write(name: string, bytes: Uint8Array): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const path = join(this.dir, safeName(name))
    const tmp = `${path}.tmp-${process.pid}`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, bytes)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    const dirFd = openSync(this.dir, 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  }
}
