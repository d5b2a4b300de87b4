// Listing a prefix's backups and applying retention (by count and by age), in clear metadata only, so
// neither needs the decryption key: a server holding only a recipient key can still rotate its backups.
import type { Bucket } from './bucket.ts'
import { backupDir, OFFSITE_FORMAT, type OffsiteIndex } from './format.ts'

/** Finished backups (those with an index.json), oldest first. */
export async function listOffsiteBackups(bucket: Bucket): Promise<OffsiteIndex[]> {
  const objects = await bucket.list('backups/')
  const indexes = objects.filter((o) => /^backups\/[^/]+\/index\.json$/.test(o.key))
  const out: OffsiteIndex[] = []
  for (const object of indexes) {
    const index = await bucket.getJson<OffsiteIndex>(object.key)
    if (index?.format === OFFSITE_FORMAT) out.push(index)
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
}

export type PruneResult = { deleted: string[]; abandoned: string[]; blobsDeleted: number }

/** An upload with no index.json this long after its last object is a crashed run's leftover. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000

/**
 * Keeps the newest `keep` backups and, of those, only the ones younger than `maxAgeMs`; the newest one
 * is never deleted. Then deletes blob objects no remaining backup references.
 */
export async function pruneOffsiteBackups(bucket: Bucket, opts: { keep: number; maxAgeMs?: number; now?: Date }): Promise<PruneResult> {
  const now = (opts.now ?? new Date()).getTime()
  const backups = await listOffsiteBackups(bucket)
  const doomed = backups.filter((b, i) => {
    const newerCount = backups.length - 1 - i
    if (newerCount === 0) return false
    return newerCount >= opts.keep || (opts.maxAgeMs !== undefined && now - Date.parse(b.startedAt) > opts.maxAgeMs)
  })
  const kept = backups.filter((b) => !doomed.includes(b))
  for (const backup of doomed) await deleteUnder(bucket, backupDir(backup.name))

  // Unfinished uploads: objects under backups/<name>/ with no index.json, untouched for a day.
  const finished = new Set(backups.map((b) => b.name))
  const byName = new Map<string, Date[]>()
  for (const object of await bucket.list('backups/')) {
    const name = object.key.split('/')[1]!
    if (finished.has(name)) continue
    byName.set(name, [...(byName.get(name) ?? []), object.lastModified ?? new Date(now)])
  }
  const abandoned = [...byName].filter(([, dates]) => dates.every((d) => now - d.getTime() > ABANDONED_AFTER_MS)).map(([name]) => name)
  for (const name of abandoned) await deleteUnder(bucket, backupDir(name))

  const referenced = new Set(kept.flatMap((b) => b.blobs))
  let blobsDeleted = 0
  // Only when no upload is under way: its blobs are not referenced by any index yet.
  if (byName.size === abandoned.length) {
    for (const object of await bucket.list('blobs/')) {
      if (referenced.has(object.key)) continue
      await bucket.delete(object.key)
      blobsDeleted++
    }
  }
  return { deleted: doomed.map((b) => b.name), abandoned, blobsDeleted }
}

async function deleteUnder(bucket: Bucket, dir: string): Promise<void> {
  // index.json first: a backup half-deleted by a crash is then "unfinished", never a broken finished one.
  const objects = await bucket.list(dir)
  const index = objects.find((o) => o.key.endsWith('/index.json'))
  if (index) await bucket.delete(index.key)
  for (const object of objects) if (object !== index) await bucket.delete(object.key)
}
