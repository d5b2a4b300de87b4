// The thread of src/native/sign-pool.ts: signs prehashed messages with libsecp256k1, answering null
// where the addon cannot load here (the main thread then signs itself).
import { nativeSecp256k1 } from './secp256k1.ts'

declare const self: Worker

self.onmessage = (event: MessageEvent<{ id: number; hash: Uint8Array; key: Uint8Array }>) => {
  const { id, hash, key } = event.data
  let signature: Uint8Array | null = null
  try {
    signature = nativeSecp256k1(hash, key)
  } catch {
    // Answered with null: the caller signs on its own thread.
  }
  self.postMessage({ id, signature })
}
