// secp256k1 nonces made ahead of time (src/core/crypto/presigned.ts) on the event loop while it would
// otherwise wait: a commit's fdatasync runs on Bun's thread pool, and until it returns the event loop
// has nothing of that write left to do. Signing a commit then costs ~1 µs instead of a whole
// signature (45-110 µs) on the path to the write's response. No thread of its own: a Worker would
// cost ~9 MB of RSS for good. When the pool is empty (the first commit, commits at once that leave the
// event loop no wait, PDS_SQLITE_SYNCHRONOUS=normal whose commits do not wait), take() answers undefined
// and the caller signs the usual way. A nonce leaves the pool once: take() removes it.
import { makeSecp256k1Nonce, type PresignedNonce } from '../../core/crypto/presigned.ts'
import { nativeSecp256k1MultiplyBase } from '../../native/secp256k1.ts'

/** Enough for a burst of writes; a nonce is ~100 bytes. */
const CAPACITY = 256

export class NoncePool {
  private readonly nonces: PresignedNonce[] = []
  private filling = false
  /** Nonces handed out (tests check the path is taken). */
  taken = 0

  /** Nonces ready to be taken. */
  get ready(): number {
    return this.nonces.length
  }

  /** A nonce nobody has had, or undefined when none is ready. */
  take(): PresignedNonce | undefined {
    const nonce = this.nonces.pop()
    if (nonce) this.taken++
    return nonce
  }

  /**
   * Makes nonces, one per turn of the event loop, until `waiting` settles (a commit's sync): work
   * queued before (the firehose append) goes first, and a response waits for at most one nonce
   * (~50 µs with libsecp256k1; ~0.3 ms where only noble can multiply).
   */
  fillWhile(waiting: Promise<unknown>): void {
    if (this.filling || this.nonces.length >= CAPACITY) return
    this.filling = true
    let settled = false
    const stop = () => (settled = true)
    waiting.then(stop, stop)
    const step = () => {
      if (settled || this.nonces.length >= CAPACITY) return void (this.filling = false)
      this.nonces.push(makeSecp256k1Nonce(nativeSecp256k1MultiplyBase))
      setImmediate(step)
    }
    setImmediate(step)
  }

  close(): void {
    this.nonces.length = 0
  }
}
