// Keys at rest: sealed key files open only with the right key encryption key and the right DID,
// plain key files (ours and the reference PDS's: 32 raw bytes) keep working, writes are atomic.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isSealed, KeySealer, KeySealError, parseKeyEncryptionKey } from '../../src/core/crypto/key-seal.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { KeyFileError, KeyFiles } from '../../src/storage/key-files.ts'
import { ActorStore } from '../../src/storage/actor/actor-store.ts'

const dir = mkdtempSync(join(tmpdir(), 'pds-keyfiles-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const kek = parseKeyEncryptionKey('11'.repeat(32))
const otherKek = parseKeyEncryptionKey('22'.repeat(32))
const alice = 'did:plc:alice00000000000000000000'
const bob = 'did:plc:bob0000000000000000000000'

describe('key sealing', () => {
  const sealer = new KeySealer(kek)
  const key = Secp256k1Keypair.create().exportPrivateKey()

  test('round-trips, with fresh randomness each time, and hides the key', () => {
    const a = sealer.seal(key, alice)
    const b = sealer.seal(key, alice)
    expect(isSealed(a)).toBe(true)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
    expect(Buffer.from(a).includes(Buffer.from(key))).toBe(false)
    expect(Buffer.from(sealer.open(a, alice)).equals(Buffer.from(key))).toBe(true)
  })

  test('another key encryption key is named as such, not mistaken for tampering', () => {
    const sealed = sealer.seal(key, alice)
    expect(() => new KeySealer(otherKek).open(sealed, alice)).toThrow(/different key encryption key/)
  })

  test("a sealed key moved onto another account's file does not open", () => {
    const sealed = sealer.seal(key, alice)
    let err: unknown
    try {
      sealer.open(sealed, bob)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(KeySealError)
    expect((err as KeySealError).reason).toBe('tampered')
  })

  test('one flipped bit anywhere is refused', () => {
    const sealed = sealer.seal(key, alice)
    for (const at of [4, 10, 20, 40, sealed.length - 20, sealed.length - 1]) {
      const bad = sealed.slice()
      bad[at]! ^= 1
      expect(() => sealer.open(bad, alice)).toThrow(KeySealError)
    }
  })

  test('the key encryption key must be 32 bytes of hex', () => {
    expect(() => parseKeyEncryptionKey('hunter2')).toThrow(/64 hex characters/)
    expect(parseKeyEncryptionKey(` ${'ab'.repeat(32)}\n`).length).toBe(32)
  })
})

describe('key files', () => {
  const plain = Secp256k1Keypair.create()

  test('a plain 32-byte key file (the reference PDS format) opens with or without a key encryption key', () => {
    const path = join(dir, 'plain-key')
    writeFileSync(path, plain.exportPrivateKey())
    expect(Secp256k1Keypair.import(new KeyFiles().read(path, alice)).did()).toBe(plain.did())
    expect(Secp256k1Keypair.import(new KeyFiles(new KeySealer(kek)).read(path, alice)).did()).toBe(plain.did())
  })

  test('an encrypted key file without the key encryption key fails with a clear reason', () => {
    const path = join(dir, 'sealed-key')
    new KeyFiles(new KeySealer(kek)).write(path, plain.exportPrivateKey(), alice)
    expect(isSealed(new Uint8Array(readFileSync(path)))).toBe(true)
    expect(() => new KeyFiles().read(path, alice)).toThrow(KeyFileError)
    expect(() => new KeyFiles().read(path, alice)).toThrow(/is encrypted, but no PDS_KEY_ENCRYPTION_KEY/)
    expect(() => new KeyFiles(new KeySealer(otherKek)).read(path, alice)).toThrow(/different key encryption key/)
  })

  test('a truncated file is neither mistaken for a key nor a crash', () => {
    const path = join(dir, 'short-key')
    writeFileSync(path, plain.exportPrivateKey().subarray(0, 20))
    expect(() => new KeyFiles().read(path, alice)).toThrow(/neither a 32-byte private key nor an encrypted key/)
  })

  test('convert seals and unseals in place, leaving no temp file', () => {
    const path = join(dir, 'convert', 'key')
    const keys = new KeyFiles(new KeySealer(kek))
    new KeyFiles().write(path, plain.exportPrivateKey(), alice)
    expect(keys.convert(path, alice, 'sealed')).toBe(true)
    expect(keys.convert(path, alice, 'sealed')).toBe(false)
    expect(isSealed(new Uint8Array(readFileSync(path)))).toBe(true)
    expect(keys.convert(path, alice, 'plain')).toBe(true)
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(plain.exportPrivateKey()))).toBe(true)
    expect(readdirSync(join(dir, 'convert'))).toEqual(['key'])
  })

  test('the actor store writes sealed keys when configured and reads them back', () => {
    const store = new ActorStore({ directory: join(dir, 'actors'), cacheSize: 2, keys: new KeyFiles(new KeySealer(kek)) })
    const key = Secp256k1Keypair.create()
    store.create(alice, key.exportPrivateKey())
    expect(isSealed(new Uint8Array(readFileSync(store.location(alice).keyLocation)))).toBe(true)
    expect(Secp256k1Keypair.import(store.readKey(alice)).did()).toBe(key.did())
    store.close()
  })
})
