// secp256k1 nonces made ahead of time on a thread of their own (./nonce-worker.ts), so that signing a
// commit on the event loop is two multiplications (src/core/crypto/presigned.ts) instead of a whole
// signature: this machine has two cores, and the write path keeps one of them busy.
// The pool refills itself in batches as it runs low; whenever it is empty (the first writes, a thread
// that is gone) take() answers undefined and the caller signs the usual way. A nonce leaves the pool
// once: take() removes it.
// In the compiled binary the worker is a second entry point (scripts/build.ts), embedded under its
// source path while this module sits in a chunk at the root: Bun resolves that path from the root.
import type { PresignedNonce } from '../../core/crypto/presigned.ts'

const WORKER_ENTRY = import.meta.url.includes('/$bunfs/') ? './src/services/repo/nonce-worker.ts' : new URL('./nonce-worker.ts', import.meta.url).href

/** Below this many nonces the pool asks for a batch: a batch takes the thread ~5 ms, a write ~1 ms. */
const LOW_WATER = 64
const BATCH = 128

export class NoncePool {
  private worker?: Worker
  private broken = false
  private refilling = false
  private readonly nonces: PresignedNonce[] = []
  /** Nonces handed out (tests check the path is taken). */
  taken = 0

  /** `onFailure`: the thread could not start or died; commits are signed the usual way from then on. */
  constructor(private readonly onFailure?: (err: unknown) => void) {}

  /** A nonce nobody has had, or undefined when none is ready. */
  take(): PresignedNonce | undefined {
    const nonce = this.nonces.pop()
    if (nonce) this.taken++
    if (this.nonces.length < LOW_WATER) this.refill()
    return nonce
  }

  /** Stops the thread for good (the server stops): take() answers undefined from now on. */
  close(): void {
    this.broken = true
    this.worker?.terminate()
    this.worker = undefined
    this.nonces.length = 0
  }

  private refill(): void {
    if (this.refilling) return
    const worker = this.thread()
    if (!worker) return
    this.refilling = true
    worker.postMessage({ count: BATCH })
  }

  private thread(): Worker | undefined {
    if (this.broken) return undefined
    if (this.worker) return this.worker
    try {
      const worker = new Worker(WORKER_ENTRY)
      worker.unref()
      worker.onmessage = (event: MessageEvent<{ nonces: PresignedNonce[] }>) => {
        this.refilling = false
        if (this.broken) return
        this.nonces.push(...event.data.nonces)
      }
      worker.onerror = (event) => {
        this.close()
        this.onFailure?.(event.error ?? event.message)
      }
      this.worker = worker
      return worker
    } catch (err) {
      this.broken = true
      this.onFailure?.(err)
      return undefined
    }
  }
}
