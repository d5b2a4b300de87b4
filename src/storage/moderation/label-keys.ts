// Where the moderation team's #atproto_label keys live: <data-dir>/moderation/<encoded DID>.label-key,
// each sealed (when a key encryption key is set) with `<did>#atproto_label` as its label.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const SUFFIX = '.label-key'

export const labelKeyPath = (directory: string, did: string) => join(directory, `${encodeURIComponent(did)}${SUFFIX}`)
export const labelKeyLabel = (did: string) => `${did}#atproto_label`

/** Every label key file with the label it is sealed with (`pds keys encrypt|decrypt`). */
export function listLabelKeyFiles(directory: string): { path: string; label: string }[] {
  if (!existsSync(directory)) return []
  return readdirSync(directory)
    .filter((name) => name.endsWith(SUFFIX))
    .sort()
    .map((name) => ({ path: join(directory, name), label: labelKeyLabel(decodeURIComponent(name.slice(0, -SUFFIX.length))) }))
}
