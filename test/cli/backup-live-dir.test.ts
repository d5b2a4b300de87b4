// `pds backup create` leaves the live data directory exactly as it found it: no -wal/-shm next to
// the account databases the server does not have open, whether the server runs or is stopped.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createBulkAccounts } from '../helpers/bulk-accounts.ts'
import { createBackup } from '../../src/services/backup/snapshot.ts'
import { verifyBackup } from '../../src/services/backup/verify.ts'
import { layoutFromConfig, listFilesRecursive } from '../../src/services/backup/layout.ts'

const backupRoot = mkdtempSync(join(tmpdir(), 'pds-backups-'))
let server: TestServer | undefined
afterAll(async () => {
  await server?.close()
  rmSync(backupRoot, { recursive: true, force: true })
})

test('a backup adds no file to the data directory, with the server running or stopped', async () => {
  // A small actor-store cache: most account databases are closed while the server runs.
  server = await startTestServer({ PDS_ACTOR_STORE_CACHE_SIZE: '3' })
  const accounts = await createBulkAccounts(server.services, 12, { postsEach: 1 })
  const layout = layoutFromConfig(server.config)
  const listing = () => listFilesRecursive(server!.dataDir)

  const running = listing()
  expect(running.filter((f) => f.endsWith('-wal')).length).toBeLessThan(accounts.length)
  const first = await createBackup({ layout, backupRoot, pdsVersion: '0.0.0-test' })
  expect(listing()).toEqual(running)
  expect(first.stats.accounts).toBe(accounts.length)

  await server.stop()
  const stopped = listing()
  expect(stopped.filter((f) => f.endsWith('-wal') || f.endsWith('-shm'))).toEqual([])
  const second = await createBackup({ layout, backupRoot, pdsVersion: '0.0.0-test', now: () => new Date(Date.now() + 1000) })
  expect(listing()).toEqual(stopped)

  // The backups themselves hold one file per database, and reading them adds none either.
  for (const backup of [first, second]) {
    const files = listFilesRecursive(backup.path)
    expect((await verifyBackup(backup.path)).ok).toBe(true)
    expect(listFilesRecursive(backup.path)).toEqual(files)
    expect(files.filter((f) => f.endsWith('-wal') || f.endsWith('-shm'))).toEqual([])
  }
}, 60_000)
