// secp256k1 signatures by libsecp256k1 (the `secp256k1` package's prebuilt N-API addon) instead of
// noble's JavaScript: every repo commit is signed, and this is the largest single cost of a write
// (measured: ~130 us against ~450 us a signature). libsecp256k1 uses the same RFC 6979 nonce, so the
// signatures are byte for byte noble's (test/core/native-secp256k1.test.ts). Loaded at the first
// signature, checked against a known signature, and left alone (noble signs) wherever it cannot load:
// another platform, musl, a broken file. `bun build --compile` embeds the addon (a static require).
type Addon = {
  ecdsaSign(out: { signature: Uint8Array; recid: number | null }, msg32: Uint8Array, seckey: Uint8Array, data: undefined, noncefn: undefined): number
  publicKeyCreate(out: Uint8Array, seckey: Uint8Array): number
}

// A fixed key and hash with the signature noble gives for them (RFC 6979): a loaded addon must agree.
const CHECK_KEY = '0101010101010101010101010101010101010101010101010101010101010101'
const CHECK_HASH = '0202020202020202020202020202020202020202020202020202020202020202'
const CHECK_SIG =
  '97ef30233ead25d10f7bb2bf9eaf571a16f2deb33a75f20819284f0cb8ff3cc14870ca05940199c113b4dc77866f001702691cde269f6835581e7aea1ead2660'

let loaded: Addon | null | undefined

/** Signs with libsecp256k1; null when the addon is not usable here (the caller falls back to noble). */
export function nativeSecp256k1(hash: Uint8Array, privateKey: Uint8Array): Uint8Array | null {
  loaded ??= load()
  if (!loaded) return null
  const out = { signature: new Uint8Array(64), recid: null }
  return loaded.ecdsaSign(out, hash, privateKey, undefined, undefined) === 0 ? out.signature : null
}

/** k·G, compressed (33 bytes), by libsecp256k1 (a nonce's point, src/core/crypto/presigned.ts); null where it cannot. */
export function nativeSecp256k1MultiplyBase(k: Uint8Array): Uint8Array | null {
  loaded ??= load()
  if (!loaded) return null
  const out = new Uint8Array(33)
  return loaded.publicKeyCreate(out, k) === 0 ? out : null
}

function load(): Addon | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null
  try {
    const { Secp256k1 } = require('secp256k1/prebuilds/linux-x64/secp256k1.glibc.node') as { Secp256k1: new () => Addon }
    const addon = new Secp256k1()
    const out = { signature: new Uint8Array(64), recid: null }
    if (addon.ecdsaSign(out, Buffer.from(CHECK_HASH, 'hex'), Buffer.from(CHECK_KEY, 'hex'), undefined, undefined) !== 0) return null
    return Buffer.from(out.signature).toString('hex') === CHECK_SIG ? addon : null
  } catch {
    return null
  }
}
