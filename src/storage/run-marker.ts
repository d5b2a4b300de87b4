// A file that exists while the server runs. Found at startup, it means the previous run did not stop
// cleanly. It holds the kernel's boot id: a crash of the process alone (kill -9, OOM) keeps every
// write it made in the OS page cache, in order, so recovery may trust the dirty-repo marks; after an
// OS crash or power loss (another boot id, or none recorded) every repo head must be checked.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { mkdirDurable, writeFileDurable } from './durable-fs.ts'

/** clean: stopped normally. crashed: the process died on this boot. unknown: OS crash, or a restore. */
export type PreviousRun = 'clean' | 'crashed' | 'unknown'

export type RunMarker = {
  previousRunCrashed: boolean
  previousRun: PreviousRun
  /** The next start checks every repo whatever happens (a dirty mark could not be written). */
  requireFullCheck(): void
  clear(): void
}

const MARKER = '.pds-running'

export function markRunning(dataDirectory: string): RunMarker {
  const path = join(dataDirectory, MARKER)
  const bootId = currentBootId()
  let previousRun: PreviousRun = 'clean'
  if (existsSync(path)) {
    const recordedBoot = readFileSync(path, 'utf8').split('\n')[1]?.trim()
    previousRun = bootId && recordedBoot === bootId ? 'crashed' : 'unknown'
  }
  mkdirDurable(dataDirectory)
  // Durable, so that a power loss (not only kill -9) is noticed at the next start.
  writeFileDurable(path, `${process.pid}\n${bootId ?? ''}\n`, 0o644)
  let fullCheck = false
  return {
    previousRunCrashed: previousRun !== 'clean',
    previousRun,
    requireFullCheck: () => {
      if (fullCheck) return
      fullCheck = true
      writeFileDurable(path, `${process.pid}\n\n`, 0o644)
    },
    clear: () => {
      if (!fullCheck) rmSync(path, { force: true })
    },
  }
}

/** Makes the next start check every repo head (data put in place by a restore, not by a server). */
export function requireFullCheckAtNextStart(dataDirectory: string): void {
  mkdirDurable(dataDirectory)
  writeFileDurable(join(dataDirectory, MARKER), 'restored\n\n', 0o644)
}

function currentBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
  } catch {
    return null
  }
}
