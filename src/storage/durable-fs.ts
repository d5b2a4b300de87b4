// File-system steps that must survive a power loss, not just a crash of the process: a file's bytes
// are on stable storage only after fsync of the file, and its name only after fsync of its directory
// (POSIX; ext4 and xfs behave so). Used for blobs, key files and the run marker.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** Makes the entries of a directory (files created, renamed or removed in it) durable. */
export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** mkdir -p whose new directories survive a power loss: each created one is synced in its parent. */
export function mkdirDurable(path: string): void {
  if (existsSync(path)) return
  mkdirDurable(dirname(path))
  mkdirSync(path)
  fsyncDirectory(dirname(path))
}

/** Writes a new file, syncs its bytes, then its name (the directory must exist). */
export function writeFileDurable(path: string, data: Uint8Array | string, mode = 0o600): void {
  const fd = openSync(path, 'w', mode)
  try {
    writeSync(fd, typeof data === 'string' ? new TextEncoder().encode(data) : data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  fsyncDirectory(dirname(path))
}

/**
 * rename(2) made durable by syncing the target directory. The source file's bytes must already be
 * synced. The source directory is not synced: if a power loss undoes only its side, a stale copy
 * stays in the temp folder, which the temp sweep removes.
 */
export function renameDurable(from: string, to: string): void {
  renameSync(from, to)
  fsyncDirectory(dirname(to))
}
