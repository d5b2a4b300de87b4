// The actor-store cache is sized in file descriptors: each open database holds FDS_PER_DATABASE.
import { expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActorStore } from '../../src/storage/actor/actor-store.ts'
import { defaultActorStoreFiles, FDS_PER_DATABASE, openFileCount, openFileLimit } from '../../src/storage/open-files.ts'

// Descriptors of files under `dir` only: the whole process's count also moves with other test files'
// sockets and syncs closing meanwhile (bun test runs every file in one process).
function openFilesUnder(dir: string): number {
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir + '/')) n++
    } catch {}
  }
  return n
}

test('an open actor database holds FDS_PER_DATABASE descriptors, and the cache stays within its budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-fds-'))
  const store = new ActorStore({ directory: dir, cacheSize: 100, maxOpenFiles: 30 })
  try {
    expect(store.capacity).toBe(7)
    expect(openFileCount()).toBeGreaterThan(0)
    for (let i = 0; i < 5; i++) store.db(`did:plc:fds${i}`, true).getRoot()
    expect(openFilesUnder(dir)).toBe(5 * FDS_PER_DATABASE)
    for (let i = 5; i < 40; i++) store.db(`did:plc:fds${i}`, true).getRoot()
    expect(store.openCount()).toBe(7)
    expect(openFilesUnder(dir)).toBe(7 * FDS_PER_DATABASE)
  } finally {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the default budget is a quarter of ulimit -n, at most 256 (64 databases)', () => {
  expect(openFileLimit()).toBeGreaterThan(0)
  expect(defaultActorStoreFiles(4096)).toBe(256)
  expect(defaultActorStoreFiles(1024)).toBe(256)
  expect(defaultActorStoreFiles(256)).toBe(64)
  expect(defaultActorStoreFiles(8)).toBe(FDS_PER_DATABASE)
})
