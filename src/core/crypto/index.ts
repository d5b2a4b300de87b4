// Keys, did:key encoding and signatures for the two curves atproto uses (secp256k1 and P-256).
export { type JwtAlg, UnsupportedKeyError } from './curves.ts'
export {
  DID_KEY_PREFIX,
  type ParsedPublicKey,
  formatDidKey,
  parseDidKey,
  formatMultikey,
  parseMultikey,
  formatLegacyMultibase,
  parseLegacyMultibase,
} from './did-key.ts'
export { type Keypair, type PrehashedSigner, Secp256k1Keypair, P256Keypair, importKeypair, installPrehashedSigner } from './keypair.ts'
export { type VerifyOptions, sha256, verifySignature, verifyWithPublicKey } from './verify.ts'
