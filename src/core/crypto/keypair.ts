// Signing keys. Signatures are ECDSA over sha256(data), 64-byte compact r||s, low-S (atproto requires it).
import { hexToBytes } from '@noble/hashes/utils.js'
import { P256, SECP256K1, type CurveInfo, type JwtAlg, UnsupportedKeyError } from './curves.ts'
import { formatDidKey, formatLegacyMultibase, formatMultikey } from './did-key.ts'
import { secp256k1Scalar, signWithNonce, type PresignedNonce } from './presigned.ts'

export interface Keypair {
  readonly jwtAlg: JwtAlg
  /** did:key of the public key */
  did(): string
  /** compressed public key, 33 bytes */
  publicKeyBytes(): Uint8Array
  /** 'z' + base58btc(multicodec prefix + key): the DID document `Multikey` publicKeyMultibase */
  publicKeyMultibase(): string
  /** 'z' + base58btc(key) without the multicodec prefix (legacy DID document form) */
  publicKeyMultibaseLegacy(): string
  sign(data: Uint8Array): Uint8Array
  /**
   * The signature of `data` with a nonce made ahead of time (./presigned.ts), never used before;
   * null when this key's curve is not the nonce's (secp256k1).
   */
  signWithNonce(data: Uint8Array, nonce: PresignedNonce): Uint8Array | null
  /** the 32-byte private scalar */
  exportPrivateKey(): Uint8Array
}

/**
 * The same ECDSA signature as noble's (RFC 6979 nonce, so byte for byte the same; low S; 64-byte
 * compact) of an already hashed message, by a faster implementation. The composition root may install
 * one (src/native/secp256k1.ts: libsecp256k1 signs in about a third of noble's time); it returns null
 * when it cannot sign, and noble signs.
 */
export type PrehashedSigner = (hash: Uint8Array, privateKey: Uint8Array) => Uint8Array | null
const prehashedSigners: Partial<Record<JwtAlg, PrehashedSigner>> = {}

export function installPrehashedSigner(jwtAlg: JwtAlg, signer: PrehashedSigner | undefined): void {
  prehashedSigners[jwtAlg] = signer
}

function toPrivateBytes(curve: CurveInfo, key: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array
  if (typeof key === 'string') {
    if (!/^([0-9a-fA-F]{2})+$/.test(key)) throw new UnsupportedKeyError('private key hex is malformed')
    bytes = hexToBytes(key)
  } else {
    bytes = Uint8Array.from(key)
  }
  if (bytes.length !== 32 || !curve.ecdsa.utils.isValidSecretKey(bytes)) {
    throw new UnsupportedKeyError(`not a valid ${curve.jwtAlg} private key`)
  }
  return bytes
}

abstract class EcdsaKeypair implements Keypair {
  readonly jwtAlg: JwtAlg
  readonly #privateKey: Uint8Array
  #publicKeyCache: Uint8Array | undefined
  #scalarCache: bigint | undefined

  protected constructor(
    private readonly curve: CurveInfo,
    privateKey: Uint8Array,
  ) {
    this.jwtAlg = curve.jwtAlg
    this.#privateKey = privateKey
  }

  // Derived at first use: the first k*G builds the curve's precomputed table (~100 ms), which
  // startup (the PLC rotation key) need not pay; the first signature does anyway.
  get #publicKey(): Uint8Array {
    return (this.#publicKeyCache ??= this.curve.ecdsa.getPublicKey(this.#privateKey, true))
  }

  did(): string {
    return formatDidKey(this.jwtAlg, this.#publicKey)
  }

  publicKeyBytes(): Uint8Array {
    return this.#publicKey.slice()
  }

  publicKeyMultibase(): string {
    return formatMultikey(this.jwtAlg, this.#publicKey)
  }

  publicKeyMultibaseLegacy(): string {
    return formatLegacyMultibase(this.jwtAlg, this.#publicKey)
  }

  sign(data: Uint8Array): Uint8Array {
    const fast = prehashedSigners[this.jwtAlg]?.(Bun.SHA256.hash(data, new Uint8Array(32)) as Uint8Array, this.#privateKey)
    return fast ?? this.curve.ecdsa.sign(data, this.#privateKey, { prehash: true, lowS: true, format: 'compact' })
  }

  signWithNonce(data: Uint8Array, nonce: PresignedNonce): Uint8Array | null {
    if (this.curve !== SECP256K1) return null
    this.#scalarCache ??= secp256k1Scalar(this.#privateKey)
    return signWithNonce(Bun.SHA256.hash(data, new Uint8Array(32)) as Uint8Array, this.#scalarCache, nonce)
  }

  exportPrivateKey(): Uint8Array {
    return this.#privateKey.slice()
  }
}

export class Secp256k1Keypair extends EcdsaKeypair {
  private constructor(privateKey: Uint8Array) {
    super(SECP256K1, privateKey)
  }

  static create(): Secp256k1Keypair {
    return new Secp256k1Keypair(SECP256K1.ecdsa.utils.randomSecretKey())
  }

  /** From 32 private key bytes or their hex. */
  static import(privateKey: Uint8Array | string): Secp256k1Keypair {
    return new Secp256k1Keypair(toPrivateBytes(SECP256K1, privateKey))
  }
}

export class P256Keypair extends EcdsaKeypair {
  private constructor(privateKey: Uint8Array) {
    super(P256, privateKey)
  }

  static create(): P256Keypair {
    return new P256Keypair(P256.ecdsa.utils.randomSecretKey())
  }

  /** From 32 private key bytes or their hex. */
  static import(privateKey: Uint8Array | string): P256Keypair {
    return new P256Keypair(toPrivateBytes(P256, privateKey))
  }
}

export function importKeypair(jwtAlg: JwtAlg, privateKey: Uint8Array | string): Keypair {
  return jwtAlg === 'ES256K' ? Secp256k1Keypair.import(privateKey) : P256Keypair.import(privateKey)
}
