// The backup service on a data directory written like the server's: snapshot while writing,
// verify (checksums, integrity, repos against their keys, blobs), restore, rotation.
import { afterAll, describe, expect, test } from 'bun:test'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalLayout, createBackup, listActorDirs, listBackups, pruneBackups, restoreBackup, RestoreRefusedError, verifyActorStore, verifyBackup } from '../../src/services/backup/index.ts'
import { addModerationTeam, makeDataDir, readModerationRows } from './backup-fixture.ts'
import { KeyFiles } from '../../src/storage/key-files.ts'
import { KeySealer } from '../../src/core/crypto/key-seal.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-backup-svc-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('backup service', () => {
  const dataDir = join(work, 'data')
  mkdirSync(dataDir)
  const actors = makeDataDir(dataDir, 3)
  const backups = join(work, 'backups')
  let backupPath = ''

  test('create snapshots every database, key, blob and pds.env while writes keep landing', async () => {
    const acknowledgedBefore = new Map(actors.map((a) => [a.did, [...a.written]]))
    let n = 0
    const writer = setInterval(() => {
      for (const actor of actors) actor.createRecord(`3kzzzzzzz${String(n).padStart(3, 'a')}2`.slice(0, 13), { text: `during ${n}` })
      n++
    }, 0)
    const phases = new Set<string>()
    const result = await createBackup({ layout: canonicalLayout(dataDir), backupRoot: backups, pdsVersion: '0.0.0-test', onProgress: (p) => phases.add(p.phase) })
    clearInterval(writer)
    backupPath = result.path
    expect([...phases]).toEqual(['databases', 'actors', 'blobs', 'checksums'])
    expect(result.stats).toMatchObject({ databases: 3, accounts: 3, blobs: 3 })
    expect(result.stats.blobsLinked).toBe(3) // same filesystem: hard links
    const kinds = result.manifest.files.map((f) => f.kind)
    expect(kinds.filter((k) => k === 'key').length).toBe(3)
    expect(kinds).toContain('config')
    expect(statSync(backupPath).mode & 0o777).toBe(0o700)
    const report = await verifyBackup(backupPath)
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.checked.repos).toBe(3)
    expect(report.checked.blobs).toBe(3)
    // Every record acknowledged before the backup started is in the snapshot.
    for (const store of listActorDirs(join(backupPath, 'actors'))) {
      const check = verifyActorStore({ did: store.did, storePath: join(store.dir, 'store.sqlite'), keyPath: join(store.dir, 'key'), blobDirectory: null })
      expect(check.problems).toEqual([])
      expect(check.records).toBeGreaterThanOrEqual(acknowledgedBefore.get(store.did)!.length)
    }
  })

  test('list shows complete backups only', () => {
    mkdirSync(join(backups, 'pds-backup-unfinished.partial'))
    const list = listBackups(backups)
    expect(list.map((b) => b.path)).toEqual([backupPath])
    expect(list[0]!.accounts).toBe(3)
  })

  test('verify reports a changed file, a broken database and a missing blob', async () => {
    const copy = join(work, 'tampered')
    await Bun.$`cp -r ${backupPath} ${copy}`.quiet()
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8'))
    const store = manifest.files.find((f: { kind: string }) => f.kind === 'actor-store').path
    const blob = manifest.files.find((f: { kind: string }) => f.kind === 'blob').path
    appendFileSync(join(copy, 'pds.env'), '# edited\n')
    const storeBytes = readFileSync(join(copy, store))
    storeBytes.fill(0x41, 4096, 8192) // scribble over the second page
    writeFileSync(join(copy, store), storeBytes)
    rmSync(join(copy, blob))
    const report = await verifyBackup(copy)
    expect(report.ok).toBe(false)
    const byPath = (p: string) => report.problems.filter((x) => x.path === p).map((x) => x.problem).join(' | ')
    expect(byPath('pds.env')).toContain('size')
    expect(byPath(store)).toMatch(/sha256|integrity|verify|SQLite/)
    expect(byPath(blob)).toBe('missing')
    expect(report.problems.some((p) => /blob .* is missing/.test(p.problem))).toBe(true)
  })

  test('restore refuses a data directory with data, then replaces it with --force', async () => {
    const target = join(work, 'restored')
    mkdirSync(target)
    writeFileSync(join(target, 'account.sqlite'), 'old')
    writeFileSync(join(target, 'account.sqlite-wal'), 'stale wal')
    const layout = canonicalLayout(target)
    await expect(restoreBackup({ backupDir: backupPath, layout })).rejects.toBeInstanceOf(RestoreRefusedError)
    expect(readFileSync(join(target, 'account.sqlite'), 'utf8')).toBe('old')
    const result = await restoreBackup({ backupDir: backupPath, layout, force: true })
    expect(result.accounts).toBe(3)
    expect(result.envFile).toBe('restored')
    expect(existsSync(join(target, 'account.sqlite-wal'))).toBe(false)
    expect(readFileSync(join(target, 'pds.env'), 'utf8')).toContain(`PDS_DATA_DIRECTORY=${target}`)
    for (const store of listActorDirs(layout.actorStoreDirectory)) {
      const check = verifyActorStore({ did: store.did, storePath: join(store.dir, 'store.sqlite'), keyPath: join(store.dir, 'key'), blobDirectory: layout.blobDirectory })
      expect(check.problems).toEqual([])
      expect(statSync(join(store.dir, 'key')).mode & 0o777).toBe(0o600)
    }
  })

  test('restore refuses a backup that does not verify', async () => {
    const target = join(work, 'restored-from-tampered')
    await expect(restoreBackup({ backupDir: join(work, 'tampered'), layout: canonicalLayout(target) })).rejects.toThrow(/does not verify/)
    expect(existsSync(join(target, 'account.sqlite'))).toBe(false)
  })

  test('rotation keeps the newest N', async () => {
    const root = join(work, 'rotation')
    let clock = Date.parse('2030-01-01T00:00:00Z')
    for (let i = 0; i < 4; i++) {
      await createBackup({ layout: canonicalLayout(dataDir), backupRoot: root, pdsVersion: 't', now: () => new Date((clock += 1000)) })
    }
    const deleted = pruneBackups(root, 2)
    expect(deleted.length).toBe(2)
    const left = listBackups(root)
    expect(left.length).toBe(2)
    expect(left[0]!.startedAt > '2030-01-01T00:00:03').toBe(true)
  })
})

describe('moderation state', () => {
  const kek = new Uint8Array(32).fill(9)
  const keys = new KeyFiles(new KeySealer(kek))
  const dataDir = join(work, 'mod-data')
  mkdirSync(dataDir)
  makeDataDir(dataDir, 1)
  const team = addModerationTeam(dataDir, keys)

  test('moderation.sqlite and the sealed label key are backed up, verified and restored as they were', async () => {
    const result = await createBackup({ layout: canonicalLayout(dataDir), backupRoot: join(work, 'mod-backups'), pdsVersion: 't' })
    const labelKeyFile = `moderation/${encodeURIComponent(team.did)}.label-key`
    expect(result.manifest.files).toContainEqual(expect.objectContaining({ path: 'moderation.sqlite', kind: 'database' }))
    expect(result.manifest.files).toContainEqual(expect.objectContaining({ path: labelKeyFile, kind: 'key' }))
    expect(result.stats.databases).toBe(4)
    expect(statSync(join(result.path, labelKeyFile)).mode & 0o777).toBe(0o600)

    expect((await verifyBackup(result.path, { keys })).problems).toEqual([])
    const otherKek = new KeyFiles(new KeySealer(new Uint8Array(32).fill(3)))
    const wrong = await verifyBackup(result.path, { keys: otherKek })
    expect(wrong.problems.find((p) => p.path === labelKeyFile)?.problem).toMatch(/^label key: .*different key encryption key/)
    await expect(restoreBackup({ backupDir: result.path, layout: canonicalLayout(join(work, 'mod-wrong-kek')), keys: otherKek })).rejects.toThrow(/does not verify/)

    const target = join(work, 'mod-restored')
    const layout = canonicalLayout(target)
    await restoreBackup({ backupDir: result.path, layout, keys })
    expect(readModerationRows(layout.moderationDb)).toEqual({ labels: team.labels, events: team.events })
    const restoredKey = join(layout.labelKeyDirectory, `${encodeURIComponent(team.did)}.label-key`)
    expect(readFileSync(restoredKey)).toEqual(readFileSync(team.keyPath)) // still sealed: bytes as they were
    expect(statSync(restoredKey).mode & 0o777).toBe(0o600)
    // A second restore over it refuses: the label keys count as data.
    rmSync(join(target, 'actors'), { recursive: true })
    for (const db of ['account', 'sequencer', 'did_cache', 'moderation']) rmSync(join(target, `${db}.sqlite`))
    await expect(restoreBackup({ backupDir: result.path, layout, keys })).rejects.toThrow(/moderation.*--force/)
  })
})
