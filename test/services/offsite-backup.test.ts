// Off-site backup service against s3rver: retention by count and by age (with unreferenced blobs
// collected), unfinished uploads cleaned up, recipient-key encryption, and the schedule `pds serve` runs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption'
import { buildConfig, offsiteBackupConfig, type OffsiteBackupConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/logger.ts'
import { canonicalLayout, startBackupSchedule } from '../../src/services/backup/index.ts'
import { Bucket, createOffsiteBackup, listOffsite, OffsiteRefusedError, restoreOffsiteBackup, verifyOffsiteBackup } from '../../src/services/backup/offsite/index.ts'
import { pruneOffsiteBackups } from '../../src/services/backup/offsite/catalog.ts'
import { keysForReading } from '../../src/services/backup/offsite/keys.ts'
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts'
import { testEnv } from '../helpers/server.ts'
import { addModerationTeam, makeDataDir, readModerationRows, type FixtureActor } from '../cli/backup-fixture.ts'

const BUCKET = 'offsite-service'
const work = mkdtempSync(join(tmpdir(), 'pds-offsite-svc-'))
let s3: TestS3
const server = { did: 'did:web:localhost', hostname: 'localhost' }

const settings = (prefix: string, extra: Record<string, string> = {}): OffsiteBackupConfig =>
  offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_PASSPHRASE: 'a long enough passphrase', ...extra }, { url: `s3://${BUCKET}/${prefix}` })!

function dataDir(name: string): { dir: string; actors: FixtureActor[] } {
  const dir = join(work, name)
  return { dir, actors: makeDataDir(dir, 2) }
}

beforeAll(async () => {
  s3 = await startS3rver([BUCKET])
})
afterAll(async () => {
  await s3?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('retention', () => {
  test('by count: the oldest backups go, and blobs only they referenced go with them', async () => {
    const { dir, actors } = dataDir('count')
    const opts = { settings: settings('count', { PDS_BACKUP_S3_KEEP: '2' }), server, layout: canonicalLayout(dir), pdsVersion: 'test' }
    const first = await createOffsiteBackup(opts)
    const onlyInFirst = readdirSync(join(dir, 'blobs', actors[0]!.did))[0]!
    rmSync(join(dir, 'blobs', actors[0]!.did, onlyInFirst)) // as if its record was deleted
    actors[1]!.addBlob(new TextEncoder().encode('a later blob'))
    const second = await createOffsiteBackup(opts)
    expect(second.upload).toMatchObject({ blobsUploaded: 1, blobsReused: 1 })
    expect(second.prune.deleted).toEqual([])
    const third = await createOffsiteBackup(opts)
    expect(third.upload).toMatchObject({ blobsUploaded: 0, blobsReused: 2 })
    expect(third.prune).toMatchObject({ deleted: [first.upload.name], blobsDeleted: 1 })

    const { backups } = await listOffsite(opts.settings)
    expect(backups.map((b) => b.name)).toEqual([second.upload.name, third.upload.name])
    const bucket = new Bucket(opts.settings.target)
    const blobKeys = (await bucket.list('blobs/')).map((o) => o.key)
    expect(blobKeys).toHaveLength(2)
    expect(blobKeys.some((k) => k.includes(onlyInFirst))).toBe(false)
    expect((await bucket.list(`backups/${first.upload.name}/`)).length).toBe(0)
  }, 60_000)

  test('by age: older than the limit goes, the newest always stays; unfinished uploads are collected', async () => {
    const { dir } = dataDir('age')
    const opts = { settings: settings('age'), server, layout: canonicalLayout(dir), pdsVersion: 'test' }
    await createOffsiteBackup(opts)
    const newest = await createOffsiteBackup(opts)
    const bucket = new Bucket(opts.settings.target)
    await bucket.put('backups/pds-backup-crashed/files/account.sqlite.age', 'half an upload')

    const soon = await pruneOffsiteBackups(bucket, { keep: 10, maxAgeMs: 60 * 60_000, now: new Date(Date.now() + 30 * 60_000) })
    expect(soon).toEqual({ deleted: [], abandoned: [], blobsDeleted: 0 })
    const later = await pruneOffsiteBackups(bucket, { keep: 10, maxAgeMs: 60 * 60_000, now: new Date(Date.now() + 2 * 24 * 60 * 60_000) })
    expect(later.deleted).toHaveLength(1)
    expect(later.abandoned).toEqual(['pds-backup-crashed'])
    expect((await listOffsite(opts.settings)).backups.map((b) => b.name)).toEqual([newest.upload.name])
    expect((await bucket.list('blobs/')).length).toBe(2) // the newest still references both
  }, 60_000)
})

describe('recipient key', () => {
  test('encrypted to PDS_BACKUP_AGE_RECIPIENT; restore needs its identity file', async () => {
    const { dir } = dataDir('recipient')
    const team = addModerationTeam(dir)
    const identity = await generateX25519Identity()
    const recipient = await identityToRecipient(identity)
    const identityFile = join(work, 'backup-identity.txt')
    writeFileSync(identityFile, `# created for the test\n${identity}\n`, { mode: 0o600 })
    const write = offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_RECIPIENT: recipient }, { url: `s3://${BUCKET}/recipient`, requireEncryption: true })!
    const created = await createOffsiteBackup({ settings: write, server, layout: canonicalLayout(dir), pdsVersion: 'test' })
    expect(created.upload.files).toBeGreaterThan(0)
    const bucket = new Bucket(write.target)
    expect(await bucket.get('pds-backup-key.age')).toBeNull() // nothing secret in the bucket

    await expect(verifyOffsiteBackup({ settings: write, workDir: work })).rejects.toThrow('set PDS_BACKUP_AGE_IDENTITY_FILE')
    const other = join(work, 'other-identity.txt')
    writeFileSync(other, `${await generateX25519Identity()}\n`)
    const wrong = offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_IDENTITY_FILE: other }, { url: `s3://${BUCKET}/recipient` })!
    await expect(verifyOffsiteBackup({ settings: wrong, workDir: work })).rejects.toBeInstanceOf(OffsiteRefusedError)

    const read = offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_IDENTITY_FILE: identityFile }, { url: `s3://${BUCKET}/recipient` })!
    const report = await verifyOffsiteBackup({ settings: read, workDir: work })
    expect(report.problems).toEqual([])
    expect(report.checked.repos).toBe(2)
    const target = join(work, 'recipient-restored')
    const restored = await restoreOffsiteBackup({ settings: read, layout: canonicalLayout(target), expectedServerDid: server.did })
    expect(restored.accounts).toBe(2)
    // The moderation team's labels, events and label key came back too.
    const layout = canonicalLayout(target)
    expect(readModerationRows(layout.moderationDb)).toEqual({ labels: team.labels, events: team.events })
    expect(readFileSync(join(layout.labelKeyDirectory, `${encodeURIComponent(team.did)}.label-key`))).toEqual(readFileSync(team.keyPath))

    const passphrase = offsiteBackupConfig({ ...s3.env(), PDS_BACKUP_AGE_PASSPHRASE: 'a long enough passphrase' }, { url: `s3://${BUCKET}/recipient` })!
    await expect(createOffsiteBackup({ settings: passphrase, server, layout: canonicalLayout(dir), pdsVersion: 'test' })).rejects.toThrow(`encrypted to the recipient ${recipient}`)
  }, 60_000)
})

describe('passphrase key file', () => {
  test('is a standard age passphrase file (age -d opens it), unlocked without stalling the event loop', async () => {
    const { dir } = dataDir('keyfile')
    const opts = { settings: settings('keyfile'), server, layout: canonicalLayout(dir), pdsVersion: 'test' }
    await createOffsiteBackup(opts)
    const bucket = new Bucket(opts.settings.target)
    const sealed = (await bucket.get('pds-backup-key.age'))!
    const age = new Decrypter()
    age.addPassphrase('a long enough passphrase')
    const identity = await age.decrypt(sealed, 'text')
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/)

    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    const started = performance.now()
    const { keys } = await keysForReading(bucket, opts.settings.encryption)
    const ms = performance.now() - started
    clearInterval(timer)
    expect(keys.identity).toBe(identity)
    expect(ticks).toBeGreaterThan(ms / 5 / 4) // the loop kept running while scrypt worked
  }, 60_000)
})

describe('forgery', () => {
  test('a manifest encrypted to the public recipient by someone with bucket access alone is refused (passphrase prefixes)', async () => {
    const { dir } = dataDir('forged')
    const opts = { settings: settings('forged'), server, layout: canonicalLayout(dir), pdsVersion: 'test' }
    const made = await createOffsiteBackup(opts)
    const bucket = new Bucket(opts.settings.target)
    const marker = (await bucket.getJson<{ recipient: string }>('pds-backup.json'))!
    // The attacker knows the manifest's shape and the recipient, not the passphrase.
    const forged = { format: 'pds-offsite-backup/1', name: made.upload.name, serverDid: server.did, hostname: server.hostname, manifest: { format: 'pds-backup/1', files: [], accounts: [] }, objects: {} }
    const e = new Encrypter()
    e.addRecipient(marker.recipient)
    await bucket.put(`backups/${made.upload.name}/manifest.age`, await e.encrypt(JSON.stringify(forged)))
    await expect(verifyOffsiteBackup({ settings: opts.settings, workDir: work })).rejects.toThrow("was not written with this bucket's key (its MAC does not match)")
    await expect(restoreOffsiteBackup({ settings: opts.settings, layout: canonicalLayout(join(work, 'forged-target')) })).rejects.toThrow('MAC does not match')
    expect(existsSync(join(work, 'forged-target', 'account.sqlite'))).toBe(false)
  }, 60_000)
})

describe('configuration', () => {
  test('PDS_BACKUP_S3_* or a URL; encryption required; a short passphrase refused', () => {
    expect(offsiteBackupConfig({})).toBeUndefined()
    const fromUrl = offsiteBackupConfig({ PDS_BACKUP_S3_URL: 's3://b-1/a/b/?endpoint=http://127.0.0.1:9000&region=eu-1&force_path_style=true', PDS_BACKUP_AGE_PASSPHRASE: 'x'.repeat(12) })!
    expect(fromUrl.target).toMatchObject({ bucket: 'b-1', prefix: 'a/b', endpoint: 'http://127.0.0.1:9000', region: 'eu-1', forcePathStyle: true })
    const fromParts = offsiteBackupConfig({ PDS_BACKUP_S3_BUCKET: 'bk1', PDS_BACKUP_S3_PREFIX: '/p/', PDS_BACKUP_S3_KEEP: '3', PDS_BACKUP_S3_MAX_AGE: '30d', PDS_BACKUP_AGE_RECIPIENT: 'age1abc' })!
    expect(fromParts).toMatchObject({ target: { bucket: 'bk1', prefix: 'p', forcePathStyle: false }, keep: 3, maxAgeMs: 30 * 86_400_000 })
    expect(() => offsiteBackupConfig({ PDS_BACKUP_S3_BUCKET: 'bk1' }, { requireEncryption: true })).toThrow('nothing leaves this machine unencrypted')
    expect(() => offsiteBackupConfig({ PDS_BACKUP_S3_BUCKET: 'bk1', PDS_BACKUP_AGE_PASSPHRASE: 'short' })).toThrow('at least 12 characters')
    expect(() => offsiteBackupConfig({ PDS_BACKUP_S3_URL: 'https://bucket/x' })).toThrow('s3://bucket/prefix')
    expect(() => offsiteBackupConfig({ PDS_BACKUP_S3_URL: 's3://bk1/x?colour=red' })).toThrow('unknown parameter colour')
    const config = buildConfig(testEnv(join(work, 'cfg'), 1, { PDS_BACKUP_S3_URL: 's3://bk1/x', PDS_BACKUP_AGE_PASSPHRASE: 'x'.repeat(12) }))
    expect(config.backup).toMatchObject({ local: false, offsite: { target: { bucket: 'bk1', prefix: 'x' } } })
    expect(() => buildConfig(testEnv(join(work, 'cfg'), 1, { PDS_BACKUP_S3_URL: 's3://bk1/x' }))).toThrow('PDS_BACKUP_AGE_PASSPHRASE')
  })
})

describe('schedule', () => {
  test('pds serve uploads off-site on its schedule; with no local backup folder the staging copy is removed', async () => {
    const { dir } = dataDir('scheduled')
    const config = buildConfig(testEnv(dir, 1, { ...s3.env(), PDS_BACKUP_S3_URL: `s3://${BUCKET}/scheduled`, PDS_BACKUP_AGE_PASSPHRASE: 'a long enough passphrase' }))
    const lines: string[] = []
    const schedule = startBackupSchedule(config, createLogger('info', {}, (line) => {
      lines.push(line)
      return true
    }))!
    try {
      await schedule.runNow()
    } finally {
      schedule.stop()
    }
    expect(lines.some((l) => l.includes('off-site backup uploaded'))).toBe(true)
    expect(lines.some((l) => l.includes('failed'))).toBe(false)
    const { backups, marker } = await listOffsite(config.backup!.offsite!)
    expect(marker?.serverDid).toBe('did:web:localhost')
    expect(backups).toHaveLength(1)
    expect(existsSync(join(dir, '.offsite-staging'))).toBe(false)
    expect(existsSync(join(dir, 'backups'))).toBe(false)
  }, 60_000)
})
