// The thread of src/services/repo/nonce-pool.ts: makes secp256k1 nonces for commit signatures (the point
// multiplication k·G by libsecp256k1 where it loads here, by noble elsewhere), in the batches asked for.
import { makeSecp256k1Nonce, type PresignedNonce } from '../../core/crypto/presigned.ts'
import { nativeSecp256k1MultiplyBase } from '../../native/secp256k1.ts'

declare const self: Worker

self.onmessage = (event: MessageEvent<{ count: number }>) => {
  const nonces: PresignedNonce[] = []
  for (let i = 0; i < event.data.count; i++) nonces.push(makeSecp256k1Nonce(nativeSecp256k1MultiplyBase))
  self.postMessage({ nonces })
}
