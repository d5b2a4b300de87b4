// Group commit for the write path. A database opened durable (synchronous=FULL) fsyncs its WAL inside
// every COMMIT, on the event loop, one commit at a time. The hot writes (repo commits; firehose appends
// and account.sqlite's repo_root copies, which are rebuilt from the repos after a crash) instead commit
// with SQLite's sync skipped (`deferSync`) and then `flush()`: one fdatasync of the WAL on Bun's thread
// pool, shared by every commit made before it started. A repo write is acknowledged only after its
// commit's flush, so its durability is the same as FULL (the strace test checks it), while concurrent
// writers share syncs and the event loop keeps serving meanwhile.
// Why fdatasync of our own descriptor is enough: Linux syncs the file (inode), not the descriptor.
// The descriptor stays open while the database is (opening the WAL's path for every sync cost ~35 us
// of a write's CPU) and is closed with it, once no sync uses it, so it never outlives a WAL that SQLite
// deletes on close (after a close checkpoint that synced everything into the database file); the
// actor-store cache counts it (FDS_PER_DATABASE). SQLite keeps no locks on the WAL file, so closing
// our descriptor cannot release any (POSIX locks go with any descriptor of the file that is closed).
import type { Database } from 'bun:sqlite'
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs'

export class WalSync {
  private running?: Promise<void>
  private waiting?: Promise<void>
  /** The WAL, opened at the first sync that finds it and kept until the database closes. */
  private fd?: number
  /** Syncs under way on `fd`: it is closed only after the last one (the number could be reused). */
  private syncsOnFd = 0
  private closed = false

  private readonly walPath: string

  constructor(
    private readonly db: Database,
    private readonly databasePath: string,
  ) {
    this.walPath = `${databasePath}-wal`
  }

  /** Runs `fn` (which commits) without SQLite's fsync; the caller must `flush()` before acknowledging. */
  deferSync<T>(fn: () => T): T {
    // exec, not a prepared statement: a PRAGMA takes effect when compiled, re-running it does nothing.
    this.db.exec('PRAGMA synchronous = NORMAL')
    try {
      return fn()
    } finally {
      this.db.exec('PRAGMA synchronous = FULL')
    }
  }

  /** Resolves once every commit made before the call is on stable storage. */
  flush(): Promise<void> {
    if (this.waiting) return this.waiting
    if (!this.running) return this.start()
    // The running sync may have started before our commit: ride on the next one, with everyone else.
    const next = this.running.then(noop, noop).then(() => {
      this.waiting = undefined
      return this.start()
    })
    this.waiting = next
    return next
  }

  /** The same, blocking (for rare writes whose callers cannot wait). */
  flushSync(): void {
    const wal = this.openWal()
    if (!wal) return
    const started = performance.now()
    try {
      fdatasyncSync(wal.fd)
    } finally {
      wal.done()
    }
    this.tell(started)
  }

  /** The database was closed: our descriptor goes once no sync uses it. */
  close(): void {
    this.closed = true
    this.closeIdleFd()
  }

  private start(): Promise<void> {
    const run = new Promise<void>((resolve, reject) => {
      const wal = this.openWal()
      if (!wal) return resolve()
      const started = performance.now()
      fdatasync(wal.fd, (err) => {
        wal.done()
        if (err) return reject(err)
        this.tell(started)
        resolve()
      })
    }).finally(() => {
      if (this.running === run) this.running = undefined
    })
    this.running = run
    return run
  }

  /**
   * The WAL to sync, undefined when there is none: nothing committed since the last close checkpoint,
   * which synced it all. After the database closed, a sync still due (its close may have left the
   * WAL when another connection was reading) opens the WAL for itself, as any other file.
   */
  private openWal(): { fd: number; done: () => void } | undefined {
    if (this.closed) {
      const fd = openIfPresent(this.walPath)
      return fd === undefined ? undefined : { fd, done: () => closeSync(fd) }
    }
    this.fd ??= openIfPresent(this.walPath)
    if (this.fd === undefined) return undefined
    this.syncsOnFd++
    const fd = this.fd
    return {
      fd,
      done: () => {
        this.syncsOnFd--
        this.closeIdleFd()
      },
    }
  }

  /** Observers hear of a finished sync: the database it made durable and how long it took. */
  private tell(started: number): void {
    if (observers.size === 0) return
    const seconds = (performance.now() - started) / 1000
    for (const observer of observers) observer(this.databasePath, seconds)
  }

  private closeIdleFd(): void {
    if (!this.closed || this.syncsOnFd > 0 || this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}

function openIfPresent(path: string): number | undefined {
  try {
    return openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

function noop() {}

/** Told of each WAL sync that succeeded: the database's path, and the seconds from the call to its end. */
export type WalSyncObserver = (databasePath: string, seconds: number) => void

const observers = new Set<WalSyncObserver>()

/** Every WAL sync in this process is reported to `observer` (e.g. a metrics histogram) until the returned stop. */
export function observeWalSyncs(observer: WalSyncObserver): () => void {
  observers.add(observer)
  return () => void observers.delete(observer)
}

const registry = new WeakMap<Database, WalSync>()

/** Called by openDatabase for durable (FULL) databases on disk. */
export function registerWalSync(db: Database, path: string): WalSync {
  const sync = new WalSync(db, path)
  registry.set(db, sync)
  // Every owner closes its database with db.close(): the WAL's descriptor goes with it.
  const closeDatabase = db.close.bind(db)
  db.close = (...args: Parameters<Database['close']>) => {
    sync.close()
    return closeDatabase(...args)
  }
  return sync
}

/** The group-commit helper of a durable database; undefined when SQLite syncs nothing (NORMAL, :memory:). */
export function walSyncOf(db: Database): WalSync | undefined {
  return registry.get(db)
}

/** `fn` with SQLite's commit sync deferred when the database is durable; else just `fn`. */
export function deferSync<T>(db: Database, fn: () => T): T {
  const sync = registry.get(db)
  return sync ? sync.deferSync(fn) : fn()
}

/** Resolves when earlier deferred commits of `db` are durable (at once when it is not a durable database). */
export function flushCommits(db: Database): Promise<void> | undefined {
  return registry.get(db)?.flush()
}
