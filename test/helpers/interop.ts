// The atproto interoperability vectors, vendored in test/vectors/interop-tests (CC0; source and
// commit in its SOURCE.md), so the suite runs from a clone of this repository alone.
// PDS_INTEROP_DIR points at another copy, e.g. a newer upstream checkout.
import { resolve } from 'node:path'
import { readFileSync } from 'node:fs'

export const INTEROP_DIR = process.env.PDS_INTEROP_DIR ?? resolve(import.meta.dir, '../vectors/interop-tests')

export function readInteropJson<T = any>(relPath: string): T {
  return JSON.parse(readFileSync(resolve(INTEROP_DIR, relPath), 'utf8')) as T
}

/** Lines of a syntax vector file: blank lines and '#' comments skipped, never trimmed. */
export function readInteropLines(relPath: string): string[] {
  return readFileSync(resolve(INTEROP_DIR, relPath), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
}
