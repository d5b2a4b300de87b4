// One writer per key (a repo's DID) at a time; different keys run in parallel.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    try {
      return await fn()
    } finally {
      release()
      // The last waiter cleans up so the map does not grow with every DID ever written.
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
