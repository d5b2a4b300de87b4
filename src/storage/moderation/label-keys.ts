// Where the moderation team's #atproto_label keys live: <data-dir>/moderation/<encoded DID>.label-key,
// each sealed (when a key encryption key is set) with `<did>#atproto_label` as its label. A key rotation
// writes the new key beside it first (.label-key-next) and renames it over the old one once the DID
// document names it.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { renameDurable } from '../durable-fs.ts'

const SUFFIX = '.label-key'

export const labelKeyPath = (directory: string, did: string) => join(directory, `${encodeURIComponent(did)}${SUFFIX}`)
export const labelKeyLabel = (did: string) => `${did}#atproto_label`
/** The next key of a rotation under way (not a label key yet: not in backups or key conversions). */
export const pendingLabelKeyPath = (directory: string, did: string) => `${labelKeyPath(directory, did)}-next`

/** The rotation's key becomes the label key (atomic rename, folder fsynced). */
export function promotePendingLabelKey(directory: string, did: string) {
  renameDurable(pendingLabelKeyPath(directory, did), labelKeyPath(directory, did))
}

/** Every label key file with the label it is sealed with (`pds keys encrypt|decrypt`). */
export function listLabelKeyFiles(directory: string): { path: string; label: string }[] {
  if (!existsSync(directory)) return []
  return readdirSync(directory)
    .filter((name) => name.endsWith(SUFFIX))
    .sort()
    .map((name) => ({ path: join(directory, name), label: labelKeyLabel(decodeURIComponent(name.slice(0, -SUFFIX.length))) }))
}
