// One writer per data directory: `pds serve` and the offline commands that rewrite the directory
// (backup restore) hold an exclusive flock(2) on <data>/.pds-lock for as long as they run. The kernel
// drops the lock when the process dies, even by kill -9, so a stale file never blocks a restart.
// The file names the holder (pid, command) so the refusal can say who it is.
import { dlopen, FFIType, read } from 'bun:ffi'
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const LOCK_FILE = '.pds-lock'

export type LockHolder = { pid: number; command: string; since: string }

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly dataDirectory: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `pid ${holder.pid} (${holder.command}, since ${holder.since})` : 'another process'
    super(`data directory ${dataDirectory} is in use by ${who}; stop that process first`)
    this.name = 'DataDirectoryLockedError'
  }
}

export type DataDirectoryLock = { release(): void }

const LOCK_EX = 2
const LOCK_NB = 4
const LOCK_UN = 8
const EWOULDBLOCK = [11, 35] // Linux EAGAIN, macOS EWOULDBLOCK

type Libc = { flock(fd: number, op: number): number; errno(): number }
let libc: Libc | null | undefined

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc
  try {
    const darwin = process.platform === 'darwin'
    const lib = dlopen(darwin ? 'libSystem.B.dylib' : 'libc.so.6', {
      flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      [darwin ? '__error' : '__errno_location']: { args: [], returns: FFIType.ptr },
    })
    const errnoPtr = (lib.symbols as Record<string, () => number | null>)[darwin ? '__error' : '__errno_location']!
    libc = { flock: (fd, op) => lib.symbols.flock(fd, op) as number, errno: () => read.i32(errnoPtr()!, 0) }
  } catch {
    libc = null // no libc to call (another platform): fall back to the pid in the file
  }
  return libc
}

export function readLockHolder(dataDirectory: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(join(dataDirectory, LOCK_FILE), 'utf8')) as LockHolder
    return typeof holder.pid === 'number' ? holder : null
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the directory's lock or throws DataDirectoryLockedError naming the holder. */
export function lockDataDirectory(dataDirectory: string, command: string): DataDirectoryLock {
  mkdirSync(dataDirectory, { recursive: true })
  const fd = openSync(join(dataDirectory, LOCK_FILE), 'a+', 0o600)
  const c = loadLibc()
  if (c) {
    if (c.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      const errno = c.errno()
      closeSync(fd)
      if (!EWOULDBLOCK.includes(errno)) throw new Error(`cannot lock ${join(dataDirectory, LOCK_FILE)} (errno ${errno})`)
      throw new DataDirectoryLockedError(dataDirectory, readLockHolder(dataDirectory))
    }
  } else {
    const holder = readLockHolder(dataDirectory)
    if (holder && holder.pid !== process.pid && alive(holder.pid)) {
      closeSync(fd)
      throw new DataDirectoryLockedError(dataDirectory, holder)
    }
  }
  const holder: LockHolder = { pid: process.pid, command, since: new Date().toISOString() }
  ftruncateSync(fd, 0)
  writeSync(fd, JSON.stringify(holder) + '\n')
  let released = false
  return {
    release() {
      if (released) return
      released = true
      ftruncateSync(fd, 0)
      if (c) c.flock(fd, LOCK_UN)
      closeSync(fd)
    },
  }
}
