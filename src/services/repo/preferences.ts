// app.bsky.actor.get/putPreferences storage (account_pref), as the reference actor-store/preference:
// one row per preference, replaced as a whole per namespace; personalDetailsPref is visible and
// writable only with full access (not app passwords); declaredAgePref is read-only, derived from
// the birth date in personalDetailsPref, and dropped on write.
import type { ActorDb } from '../../storage/actor/actor-db.ts'
import { invalidInput } from '../errors.ts'

const PERSONAL_DETAILS = 'app.bsky.actor.defs#personalDetailsPref'
const DECLARED_AGE = 'app.bsky.actor.defs#declaredAgePref'

type Pref = Record<string, unknown> & { $type: string }

export const prefMatchNamespace = (namespace: string, name: string) => name === namespace || name.startsWith(`${namespace}.`)
const prefAllowed = (name: string, privileged: boolean) => privileged || name !== PERSONAL_DETAILS

export function readPreferences(db: ActorDb, namespace: string, opts: { privileged: boolean }): Pref[] {
  const prefs = db
    .getPreferences()
    .filter((row) => prefMatchNamespace(namespace, row.name) && prefAllowed(row.name, opts.privileged) && row.name !== DECLARED_AGE)
    .map((row) => JSON.parse(row.valueJson) as Pref)
  const birthDate = findBirthDate(db)
  if (birthDate && prefMatchNamespace(namespace, DECLARED_AGE)) {
    const age = ageOn(birthDate, new Date())
    if (age !== null) prefs.push({ $type: DECLARED_AGE, isOverAge13: age >= 13, isOverAge16: age >= 16, isOverAge18: age >= 18 })
  }
  return prefs
}

export function writePreferences(db: ActorDb, values: unknown[], namespace: string, opts: { privileged: boolean }): void {
  const prefs: Pref[] = []
  for (const value of values) {
    const type = (value as { $type?: unknown } | null)?.$type
    if (typeof type !== 'string') throw invalidInput('Preference is missing a $type')
    prefs.push(value as Pref)
  }
  if (!prefs.every((p) => prefMatchNamespace(namespace, p.$type))) {
    throw invalidInput(`Some preferences are not in the ${namespace} namespace`)
  }
  const notAllowed = [...new Set(prefs.filter((p) => !prefAllowed(p.$type, opts.privileged)).map((p) => p.$type))]
  if (notAllowed.length > 0) throw invalidInput(`Do not have authorization to set preferences: ${notAllowed.join(', ')}`)
  const rows = prefs.filter((p) => p.$type !== DECLARED_AGE).map((p) => ({ name: p.$type, valueJson: JSON.stringify(p) }))
  // Without full access the stored personal details survive the replace.
  db.replacePreferences(rows, (name) => prefMatchNamespace(namespace, name) && prefAllowed(name, opts.privileged))
}

function findBirthDate(db: ActorDb): string | undefined {
  const row = db.getPreferences().find((r) => r.name === PERSONAL_DETAILS)
  const birthDate = row ? (JSON.parse(row.valueJson) as { birthDate?: unknown }).birthDate : undefined
  return typeof birthDate === 'string' ? birthDate : undefined
}

function ageOn(birthDate: string, today: Date): number | null {
  const born = new Date(birthDate)
  if (Number.isNaN(born.getTime())) return null
  let age = today.getUTCFullYear() - born.getUTCFullYear()
  const m = today.getUTCMonth() - born.getUTCMonth()
  if (m < 0 || (m === 0 && today.getUTCDate() < born.getUTCDate())) age--
  return age
}
