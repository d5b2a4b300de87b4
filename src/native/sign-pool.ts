// secp256k1 signatures on a thread of their own (./sign-worker.ts), for when commits overlap: while
// one commit is signed there, the event loop builds the next (several accounts writing at once).
// A lone commit is signed inline: a round trip to the thread costs more than it saves.
// Answers null (the caller signs inline) whenever the thread is not there or cannot sign.
// In the compiled binary the worker is a second entry point (scripts/build.ts), embedded under its
// source path while this module sits in a chunk at the root: Bun resolves that path from the root.
const WORKER_ENTRY = import.meta.url.includes('/$bunfs/') ? './src/native/sign-worker.ts' : new URL('./sign-worker.ts', import.meta.url).href

export class OffThreadSigner {
  private worker?: Worker
  private broken = false
  private nextId = 1
  private readonly waiting = new Map<number, (signature: Uint8Array | null) => void>()
  /** Signatures the thread made (tests check the path is taken). */
  signed = 0

  /** The 64-byte compact low-S signature of a 32-byte hash, or null. */
  sign(hash: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array | null> {
    const worker = this.thread()
    if (!worker) return Promise.resolve(null)
    const id = this.nextId++
    return new Promise((resolve) => {
      this.waiting.set(id, resolve)
      worker.postMessage({ id, hash, key: privateKey })
    })
  }

  /** Stops the thread for good (the server stops): later calls answer null at once. */
  close(): void {
    this.broken = true
    this.worker?.terminate()
    this.worker = undefined
    this.fail()
  }

  private thread(): Worker | undefined {
    if (this.broken) return undefined
    if (this.worker) return this.worker
    try {
      const worker = new Worker(WORKER_ENTRY)
      worker.unref()
      worker.onmessage = (event: MessageEvent<{ id: number; signature: Uint8Array | null }>) => {
        const resolve = this.waiting.get(event.data.id)
        this.waiting.delete(event.data.id)
        if (event.data.signature) this.signed++
        resolve?.(event.data.signature)
      }
      worker.onerror = () => {
        this.broken = true
        this.worker = undefined
        worker.terminate()
        this.fail()
      }
      this.worker = worker
      return worker
    } catch {
      this.broken = true
      return undefined
    }
  }

  /** Everyone waiting signs inline. */
  private fail(): void {
    for (const resolve of this.waiting.values()) resolve(null)
    this.waiting.clear()
  }
}
