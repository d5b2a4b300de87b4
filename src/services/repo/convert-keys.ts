// `pds keys encrypt|decrypt`: rewrites every private key of a data directory into the sealed or the
// plain form, one file at a time and each crash-safely (src/storage/key-files.ts), so a kill -9 at any
// point leaves a directory where every key still opens: some converted, the rest not yet. Running it
// again finishes the job. The caller holds the data directory's lock.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROTATION_KEY_LABEL } from '../../config/config.ts'
import type { KeySealer } from '../../core/crypto/key-seal.ts'
import { isTempName, KeyFiles, removeStaleTemps, writeFileDurably } from '../../storage/key-files.ts'
import { ACTOR_KEY_FILE, listActorDirs } from '../backup/layout.ts'
import { listLabelKeyFiles } from '../../storage/moderation/label-keys.ts'

export type KeyConversion = {
  /** Files rewritten now. */
  converted: number
  /** Files that were already in the wanted form (and were checked to open). */
  unchanged: number
  /** What happened to the PLC rotation key in pds.env. */
  rotationKey: 'converted' | 'unchanged' | 'not-in-env-file'
}

/** `moderationDirectory`: where the moderation team's label keys are (src/services/moderation/setup.ts). */
export type KeyLocations = { actorStoreDirectory: string; envFile: string; moderationDirectory?: string }

/** Every key file: account signing keys (label: the DID) and reserved keys (label: their file name). */
export function listKeyFiles(actorStoreDirectory: string): { path: string; label: string }[] {
  const out: { path: string; label: string }[] = []
  for (const actor of listActorDirs(actorStoreDirectory)) {
    removeStaleTemps(actor.dir, ACTOR_KEY_FILE)
    const path = join(actor.dir, ACTOR_KEY_FILE)
    if (existsSync(path)) out.push({ path, label: actor.did })
  }
  const reserved = join(actorStoreDirectory, 'reserved_keys')
  if (existsSync(reserved)) {
    for (const name of readdirSync(reserved).sort()) {
      if (isTempName(name)) removeStaleTemps(reserved, name.slice(0, name.indexOf('.tmp-')))
      else out.push({ path: join(reserved, name), label: name })
    }
  }
  return out
}

export function convertKeys(
  where: KeyLocations,
  sealer: KeySealer,
  to: 'sealed' | 'plain',
  onProgress: (done: number, total: number) => void = () => {},
): KeyConversion {
  const keys = new KeyFiles(sealer)
  const files = [...listKeyFiles(where.actorStoreDirectory), ...(where.moderationDirectory ? listLabelKeyFiles(where.moderationDirectory) : [])]
  // Every file must open before any is touched: a wrong key encryption key changes nothing.
  for (const file of files) keys.read(file.path, file.label)
  const rotationKey = convertRotationKey(where.envFile, sealer, to)
  let converted = 0
  for (const [i, file] of files.entries()) {
    if (keys.convert(file.path, file.label, to)) converted++
    if (i % 50 === 0) onProgress(i, files.length)
  }
  onProgress(files.length, files.length)
  return { converted, unchanged: files.length - converted, rotationKey }
}

const PLAIN_VAR = 'PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX'
const SEALED_VAR = 'PDS_PLC_ROTATION_KEY_K256_ENCRYPTED'

/** Swaps the rotation key's line in pds.env for its other form, keeping every other line as it is. */
function convertRotationKey(envFile: string, sealer: KeySealer, to: 'sealed' | 'plain'): KeyConversion['rotationKey'] {
  if (!existsSync(envFile)) return 'not-in-env-file'
  const lines = readFileSync(envFile, 'utf8').split('\n')
  const from = to === 'sealed' ? PLAIN_VAR : SEALED_VAR
  const index = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${from}\\s*=`).test(l))
  if (index < 0) {
    const other = lines.some((l) => new RegExp(`^\\s*(export\\s+)?${to === 'sealed' ? SEALED_VAR : PLAIN_VAR}\\s*=`).test(l))
    return other ? 'unchanged' : 'not-in-env-file'
  }
  const value = lines[index]!.slice(lines[index]!.indexOf('=') + 1).trim().replace(/^["']|["']$/g, '')
  if (to === 'sealed') {
    if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new Error(`${PLAIN_VAR} in ${envFile} is not a 64-character hex key`)
    const sealed = sealer.seal(new Uint8Array(Buffer.from(value, 'hex')), ROTATION_KEY_LABEL)
    lines[index] = `${SEALED_VAR}=${Buffer.from(sealed).toString('base64url')}`
  } else {
    const plain = sealer.open(new Uint8Array(Buffer.from(value, 'base64url')), ROTATION_KEY_LABEL)
    lines[index] = `${PLAIN_VAR}=${Buffer.from(plain).toString('hex')}`
  }
  writeFileDurably(envFile, new TextEncoder().encode(lines.join('\n')))
  return 'converted'
}
