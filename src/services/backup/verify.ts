// `pds backup verify`: checksums, SQLite integrity, and every repo against its signing key.
import { existsSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ACTOR_KEY_FILE, canonicalLayout, LABEL_KEY_FOLDER } from './layout.ts'
import { readManifest, sha256File, type Manifest } from './manifest.ts'
import { verifyActorStore } from './verify-repo.ts'
import { integrityProblem } from '../../storage/snapshot.ts'

export { integrityProblem }
import { KeyFiles } from '../../storage/key-files.ts'
import { listLabelKeyFiles } from '../../storage/moderation/label-keys.ts'

export type VerifyProblem = { path: string; problem: string }
export type VerifyPhase = 'checksums' | 'databases' | 'repos'

export type VerifyReport = {
  ok: boolean
  manifest: Manifest
  checked: { files: number; databases: number; repos: number; records: number; blobs: number }
  problems: VerifyProblem[]
}

export async function verifyBackup(
  dir: string,
  opts: { onProgress?: (p: { phase: VerifyPhase; done: number; total: number }) => void; keys?: KeyFiles } = {},
): Promise<VerifyReport> {
  const manifest = readManifest(dir)
  const report = opts.onProgress ?? (() => {})
  const problems: VerifyProblem[] = []
  const checked = { files: 0, databases: 0, repos: 0, records: 0, blobs: 0 }

  for (const [i, file] of manifest.files.entries()) {
    if (i % 100 === 0) report({ phase: 'checksums', done: i, total: manifest.files.length })
    const path = join(dir, file.path)
    checked.files++
    if (!existsSync(path)) {
      problems.push({ path: file.path, problem: 'missing' })
      continue
    }
    const size = statSync(path).size
    if (size !== file.size) problems.push({ path: file.path, problem: `size ${size}, manifest says ${file.size}` })
    else if ((await sha256File(path)) !== file.sha256) problems.push({ path: file.path, problem: 'sha256 does not match the manifest' })
  }

  const databases = manifest.files.filter((f) => f.kind === 'database' || f.kind === 'actor-store')
  for (const [i, file] of databases.entries()) {
    report({ phase: 'databases', done: i, total: databases.length })
    const path = join(dir, file.path)
    if (!existsSync(path)) continue
    checked.databases++
    const problem = integrityProblem(path)
    if (problem) problems.push({ path: file.path, problem })
  }

  const stores = manifest.files.filter((f) => f.kind === 'actor-store' && existsSync(join(dir, f.path)))
  const layout = canonicalLayout(dir)
  const hasBlobs = manifest.blobs === 'included'
  for (const [i, file] of stores.entries()) {
    report({ phase: 'repos', done: i, total: stores.length })
    const storeDir = dirname(join(dir, file.path))
    const did = storeDir.split('/').pop()!
    const result = verifyActorStore({
      did,
      storePath: join(dir, file.path),
      keyPath: join(storeDir, ACTOR_KEY_FILE),
      blobDirectory: hasBlobs ? layout.blobDirectory : null,
      keys: opts.keys,
    })
    checked.repos++
    checked.records += result.records
    checked.blobs += result.blobs
    for (const problem of result.problems) problems.push({ path: file.path, problem })
  }
  report({ phase: 'repos', done: stores.length, total: stores.length })

  // A label key that no longer opens (another key encryption key, rot) would leave the restored
  // labeler unable to sign: say so before a restore relies on it.
  for (const key of listLabelKeyFiles(join(dir, LABEL_KEY_FOLDER))) {
    try {
      ;(opts.keys ?? new KeyFiles()).read(key.path, key.label)
    } catch (err) {
      problems.push({ path: `${LABEL_KEY_FOLDER}/${basename(key.path)}`, problem: `label key: ${(err as Error).message}` })
    }
  }
  return { ok: problems.length === 0, manifest, checked, problems }
}
