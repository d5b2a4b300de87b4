// A file that exists while the server runs. Found at startup, it means the previous run did not stop
// cleanly (kill -9, power loss), so caches that are written after the main data (account.sqlite's
// repo_root copy of each repo's head) must be checked against the actor stores.
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { mkdirDurable, writeFileDurable } from './durable-fs.ts'

export type RunMarker = { previousRunCrashed: boolean; clear(): void }

export function markRunning(dataDirectory: string): RunMarker {
  const path = join(dataDirectory, '.pds-running')
  const previousRunCrashed = existsSync(path)
  mkdirDurable(dataDirectory)
  // Durable, so that a power loss (not only kill -9) is noticed at the next start.
  writeFileDurable(path, `${process.pid}\n`, 0o644)
  return { previousRunCrashed, clear: () => rmSync(path, { force: true }) }
}
