// Where native libraries embedded in the compiled binary are unpacked. dlopen() needs real
// files on a real (exec-allowed) file system, so we try several places in order and let the
// caller move on when one is unusable (read-only home, noexec /tmp, ...).
import { mkdirSync, statSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

/** Candidate cache roots, most preferred first. Every entry is specific to pds. */
export function nativeCacheRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots: string[] = []
  if (env.PDS_NATIVE_CACHE_DIR) roots.push(env.PDS_NATIVE_CACHE_DIR)
  if (env.XDG_CACHE_HOME) roots.push(join(env.XDG_CACHE_HOME, 'pds'))
  const home = env.HOME || safeHomedir()
  if (home) roots.push(join(home, '.cache', 'pds'))
  // Shared temp dirs are writable by everyone: the per-user name plus the ownership check in
  // ensurePrivateDir keep another user from planting a library we would then load.
  roots.push(join(tmpdir(), `pds-native-${process.getuid?.() ?? 'user'}`))
  return [...new Set(roots)]
}

/** Creates dir (and parents) and refuses directories owned by someone else. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const uid = process.getuid?.()
  if (uid !== undefined && statSync(dir).uid !== uid) {
    throw new Error(`${dir} is owned by another user`)
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir()
  } catch {
    return undefined
  }
}
