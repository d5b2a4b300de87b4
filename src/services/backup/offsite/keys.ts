// Encryption of off-site backups with age (the age-encryption package: the age file format, so a
// backup can also be opened with the age CLI). Every object is encrypted to one X25519 recipient:
// the operator's own (PDS_BACKUP_AGE_RECIPIENT), or, with a passphrase, a key generated for the bucket
// and stored there passphrase-encrypted (pds-backup-key.age). The passphrase is stretched by scrypt
// once per run rather than once per object (~2 s each, measured), which thousands of blobs rule out.
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient, Stanza, type Identity, type Recipient } from 'age-encryption'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes, scrypt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { OffsiteBackupConfig } from '../../../config/config.ts'
import type { Bucket } from './bucket.ts'

export const MARKER_FILE = 'pds-backup.json'
export const KEY_FILE = 'pds-backup-key.age'
export const MARKER_FORMAT = 'pds-offsite/1'

/** pds-backup.json, in clear at the prefix's root: whose backups these are and how they are encrypted. */
export type BucketMarker = {
  format: typeof MARKER_FORMAT
  serverDid: string
  hostname: string
  createdAt: string
  encryption: 'passphrase' | 'recipient'
  recipient: string
}

export type Encryption = OffsiteBackupConfig['encryption']
export type BackupKeys = { recipient: string; identity?: string }

/** The backups cannot be opened, or must not be touched, with what this machine was given. */
export class OffsiteRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OffsiteRefusedError'
  }
}

export async function readMarker(bucket: Bucket): Promise<BucketMarker | null> {
  const marker = await bucket.getJson<BucketMarker>(MARKER_FILE)
  if (marker && marker.format !== MARKER_FORMAT) throw new OffsiteRefusedError(`${bucket.describe(MARKER_FILE)} is not a ${MARKER_FORMAT} marker`)
  return marker
}

/**
 * The keys to write new backups with: from the marker when the prefix already holds this server's
 * backups, else set up now (first backup). Refuses another server's prefix and a mismatched key.
 */
export async function keysForWriting(bucket: Bucket, encryption: Encryption, server: { did: string; hostname: string }): Promise<BackupKeys> {
  const marker = await readMarker(bucket)
  if (marker && marker.serverDid !== server.did) {
    throw new OffsiteRefusedError(
      `${bucket.url} holds the backups of another server (${marker.serverDid}, ${marker.hostname}); this server is ${server.did}: choose another bucket or prefix`,
    )
  }
  if (encryption.recipient) {
    if (marker && (marker.encryption !== 'recipient' || marker.recipient !== encryption.recipient)) {
      throw new OffsiteRefusedError(`the backups in ${bucket.url} are encrypted to ${describeMarkerKey(marker)}, not to PDS_BACKUP_AGE_RECIPIENT ${encryption.recipient}: choose another prefix to change keys`)
    }
    if (!marker) await writeMarker(bucket, server, 'recipient', encryption.recipient)
    return { recipient: encryption.recipient }
  }
  if (!encryption.passphrase) throw new OffsiteRefusedError('set PDS_BACKUP_AGE_PASSPHRASE (or PDS_BACKUP_AGE_RECIPIENT): nothing leaves this machine unencrypted')
  if (marker) {
    if (marker.encryption !== 'passphrase') throw new OffsiteRefusedError(`the backups in ${bucket.url} are encrypted to ${describeMarkerKey(marker)}; set PDS_BACKUP_AGE_RECIPIENT to it, not a passphrase`)
    return openBucketKey(bucket, encryption.passphrase)
  }
  const identity = await generateX25519Identity()
  const recipient = await identityToRecipient(identity)
  const sealed = new Encrypter()
  sealed.addRecipient(new ThreadedScryptRecipient(encryption.passphrase))
  await bucket.put(KEY_FILE, await sealed.encrypt(identity))
  await writeMarker(bucket, server, 'passphrase', recipient)
  return { recipient, identity }
}

/** The keys to read this prefix's backups with (verify, restore). */
export async function keysForReading(bucket: Bucket, encryption: Encryption): Promise<{ keys: BackupKeys; marker: BucketMarker }> {
  const marker = await readMarker(bucket)
  if (!marker) throw new OffsiteRefusedError(`${bucket.url} holds no pds backups (no ${MARKER_FILE})`)
  if (marker.encryption === 'passphrase') {
    if (!encryption.passphrase) throw new OffsiteRefusedError(`the backups in ${bucket.url} are encrypted with a passphrase: set PDS_BACKUP_AGE_PASSPHRASE (or PDS_BACKUP_AGE_PASSPHRASE_FILE)`)
    return { keys: await openBucketKey(bucket, encryption.passphrase), marker }
  }
  if (!encryption.identityFile) {
    throw new OffsiteRefusedError(`the backups in ${bucket.url} are encrypted to ${marker.recipient}: set PDS_BACKUP_AGE_IDENTITY_FILE to the file holding its AGE-SECRET-KEY-1…`)
  }
  const identity = readIdentityFile(encryption.identityFile)
  if ((await identityToRecipient(identity)) !== marker.recipient) {
    throw new OffsiteRefusedError(`${encryption.identityFile} is not the key of ${marker.recipient}, which the backups in ${bucket.url} are encrypted to`)
  }
  return { keys: { recipient: marker.recipient, identity }, marker }
}

async function openBucketKey(bucket: Bucket, passphrase: string): Promise<BackupKeys> {
  const sealed = await bucket.get(KEY_FILE)
  if (!sealed) throw new OffsiteRefusedError(`${bucket.describe(KEY_FILE)} is missing: the backups there cannot be opened with a passphrase`)
  const decrypter = new Decrypter()
  decrypter.addIdentity(new ThreadedScryptIdentity(passphrase))
  let identity: string
  try {
    identity = (await decrypter.decrypt(sealed, 'text')).trim()
  } catch {
    throw new OffsiteRefusedError(`the passphrase does not open ${bucket.describe(KEY_FILE)}: wrong PDS_BACKUP_AGE_PASSPHRASE? (nothing was changed)`)
  }
  return { recipient: await identityToRecipient(identity), identity }
}

function readIdentityFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new OffsiteRefusedError(`cannot read the age identity file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  const line = text.split(/\r?\n/).find((l) => l.startsWith('AGE-SECRET-KEY-1'))
  if (!line) throw new OffsiteRefusedError(`${path} holds no age identity (a line AGE-SECRET-KEY-1…)`)
  return line.trim()
}

async function writeMarker(bucket: Bucket, server: { did: string; hostname: string }, encryption: BucketMarker['encryption'], recipient: string): Promise<void> {
  const marker: BucketMarker = { format: MARKER_FORMAT, serverDid: server.did, hostname: server.hostname, createdAt: new Date().toISOString(), encryption, recipient }
  await bucket.put(MARKER_FILE, JSON.stringify(marker, null, 2) + '\n')
}

function describeMarkerKey(marker: BucketMarker): string {
  return marker.encryption === 'passphrase' ? 'a passphrase (PDS_BACKUP_AGE_PASSPHRASE)' : `the recipient ${marker.recipient}`
}

export function encryptStream(keys: BackupKeys, body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const e = new Encrypter()
  e.addRecipient(keys.recipient)
  return e.encrypt(body)
}

export async function encryptBytes(keys: BackupKeys, body: Uint8Array | string): Promise<Uint8Array> {
  const e = new Encrypter()
  e.addRecipient(keys.recipient)
  return e.encrypt(body)
}

function decrypter(keys: BackupKeys): Decrypter {
  if (!keys.identity) throw new OffsiteRefusedError('no age identity to decrypt with')
  const d = new Decrypter()
  d.addIdentity(keys.identity)
  return d
}

export function decryptStream(keys: BackupKeys, body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  return decrypter(keys).decrypt(body)
}

export function decryptBytes(keys: BackupKeys, body: Uint8Array): Promise<Uint8Array> {
  return decrypter(keys).decrypt(body)
}

/** age's own errors ("invalid tag", …) in the operator's terms. */
export function describeDecryptError(err: unknown): string {
  const message = (err as Error)?.message ?? String(err)
  if (/no identity matched/.test(message)) return `it is not encrypted to this bucket's key (${message})`
  return `it does not decrypt: the object was altered or truncated (${message})`
}

/**
 * age has no sender authentication: anyone who knows the recipient (it is in the marker) can encrypt
 * to it. With a passphrase the bucket's identity is a secret both writer and restorer hold, so each
 * manifest carries an HMAC keyed from it, and a manifest forged by someone with write access to the
 * bucket alone is refused. With a recipient key the server holds no secret to sign with (README).
 */
export function manifestMac(keys: BackupKeys, text: string): string | undefined {
  if (!keys.identity) return undefined
  const key = new Bun.CryptoHasher('sha256').update(`pds-offsite-manifest-mac/1\n${keys.identity}`).digest()
  return new Bun.CryptoHasher('sha256', key).update(text).digest('hex')
}

// age's passphrase stanza (age-encryption.org/v1/scrypt), with scrypt on libuv's thread pool: the package
// runs it on the calling thread (~2 s at age's work factor), which would stall a serving pds for that
// long at every scheduled backup. The file format is unchanged (`age -d` opens pds-backup-key.age).
const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt'
const SCRYPT_LOG_N = 18
const ZERO_NONCE = new Uint8Array(12)

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  const labelled = Buffer.concat([Buffer.from(SCRYPT_LABEL), salt])
  return new Promise((resolve, reject) =>
    scrypt(passphrase, labelled, 32, { N: 2 ** logN, r: 8, p: 1, maxmem: 256 * 2 ** logN * 8 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  )
}

class ThreadedScryptRecipient implements Recipient {
  constructor(private readonly passphrase: string) {}
  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = new Uint8Array(randomBytes(16))
    const key = await deriveKey(this.passphrase, salt, SCRYPT_LOG_N)
    const salt64 = Buffer.from(salt).toString('base64').replace(/=+$/, '')
    return [new Stanza(['scrypt', salt64, String(SCRYPT_LOG_N)], chacha20poly1305(key, ZERO_NONCE).encrypt(fileKey))]
  }
}

class ThreadedScryptIdentity implements Identity {
  constructor(private readonly passphrase: string) {}
  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== 'scrypt') continue
      const [, salt64, logNText] = stanza.args
      if (stanzas.length !== 1 || stanza.args.length !== 3 || !/^[1-9][0-9]*$/.test(logNText!) || stanza.body.length !== 32) throw new Error('invalid scrypt stanza')
      const salt = new Uint8Array(Buffer.from(salt64!, 'base64'))
      const logN = Number(logNText)
      if (salt.length !== 16) throw new Error('invalid scrypt stanza')
      if (logN > 20) throw new Error('scrypt work factor is too high')
      try {
        return chacha20poly1305(await deriveKey(this.passphrase, salt, logN), ZERO_NONCE).decrypt(stanza.body)
      } catch {
        return null
      }
    }
    return null
  }
}
