// Private keys sealed at rest: AES-256-GCM under a key derived per file by HKDF-SHA256 from the key
// encryption key (PDS_KEY_ENCRYPTION_KEY) and a random salt. The file's label (the account's DID, or
// "plc-rotation-key") is authenticated with it, so a sealed key copied onto another account's file does
// not open. A plain key (32 raw bytes, as the reference PDS writes) is recognised and passed through.
//
// Layout: "PDSK" | version 1 | kek id (8) | salt (16) | nonce (12) | ciphertext | tag (16)
// The kek id (HKDF of the KEK with its own info string) tells "another key" apart from "tampered".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const MAGIC = new Uint8Array([0x50, 0x44, 0x53, 0x4b]) // "PDSK"
const VERSION = 1
const HEADER = MAGIC.length + 1 + 8 + 16 + 12
const TAG = 16

export class KeySealError extends Error {
  constructor(
    readonly reason: 'no-key' | 'other-key' | 'tampered' | 'malformed',
    message: string,
  ) {
    super(message)
    this.name = 'KeySealError'
  }
}

/** Parses a key encryption key: 64 hex characters (32 random bytes), as `openssl rand -hex 32` prints. */
export function parseKeyEncryptionKey(text: string): Uint8Array {
  const trimmed = text.trim()
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) throw new Error('must be 32 random bytes in hex (64 hex characters; generate one with: openssl rand -hex 32)')
  return new Uint8Array(Buffer.from(trimmed, 'hex'))
}

export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER + TAG && MAGIC.every((b, i) => bytes[i] === b)
}

export class KeySealer {
  /** Names the KEK without revealing it (8 bytes of HKDF output). */
  readonly id: Uint8Array

  constructor(private readonly kek: Uint8Array) {
    if (kek.length !== 32) throw new Error('key encryption key must be 32 bytes')
    this.id = new Uint8Array(hkdfSync('sha256', kek, new Uint8Array(0), 'pds key-encryption-key id', 8))
  }

  get idHex(): string {
    return Buffer.from(this.id).toString('hex')
  }

  seal(plain: Uint8Array, label: string): Uint8Array {
    const salt = randomBytes(16)
    const nonce = randomBytes(12)
    const header = concat(MAGIC, new Uint8Array([VERSION]), this.id, salt, nonce)
    const cipher = createCipheriv('aes-256-gcm', this.fileKey(salt), nonce)
    cipher.setAAD(concat(header, new TextEncoder().encode(label)))
    return concat(header, cipher.update(plain), cipher.final(), cipher.getAuthTag())
  }

  open(sealed: Uint8Array, label: string): Uint8Array {
    if (!isSealed(sealed) || sealed[4] !== VERSION) throw new KeySealError('malformed', 'not a sealed key of a known version')
    const id = sealed.subarray(5, 13)
    if (!id.every((b, i) => b === this.id[i])) {
      throw new KeySealError('other-key', `was encrypted with a different key encryption key (id ${Buffer.from(id).toString('hex')}, configured ${this.idHex})`)
    }
    const salt = sealed.subarray(13, 29)
    const nonce = sealed.subarray(29, HEADER)
    const decipher = createDecipheriv('aes-256-gcm', this.fileKey(salt), nonce)
    decipher.setAAD(concat(sealed.subarray(0, HEADER), new TextEncoder().encode(label)))
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG))
    try {
      return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(HEADER, sealed.length - TAG)), decipher.final()]))
    } catch {
      throw new KeySealError('tampered', `does not authenticate: it was altered, or belongs to another account than ${label}`)
    }
  }

  private fileKey(salt: Uint8Array): Uint8Array {
    return new Uint8Array(hkdfSync('sha256', this.kek, salt, 'pds key file v1', 32))
  }
}

/**
 * The private key in a key file's bytes, sealed or plain. A sealed file with no sealer configured
 * fails with a clear reason rather than being mistaken for a raw key.
 */
export function openKeyBytes(bytes: Uint8Array, label: string, sealer: KeySealer | undefined): Uint8Array {
  if (!isSealed(bytes)) {
    if (bytes.length !== 32) throw new KeySealError('malformed', `is neither a 32-byte private key nor an encrypted key (${bytes.length} bytes)`)
    return bytes
  }
  if (!sealer) throw new KeySealError('no-key', 'is encrypted, but no PDS_KEY_ENCRYPTION_KEY (or PDS_KEY_ENCRYPTION_KEY_FILE) is configured')
  return sealer.open(bytes, label)
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
