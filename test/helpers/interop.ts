// Where the shared interoperability vectors live: ../shared beside the repository (as in CI).
import { resolve } from 'node:path'
import { readFileSync } from 'node:fs'

export const SHARED_DIR = process.env.PDS_SHARED_DIR ?? resolve(import.meta.dir, '../../../shared')
export const INTEROP_DIR = resolve(SHARED_DIR, 'interop-tests')

export function readInteropJson<T = any>(relPath: string): T {
  return JSON.parse(readFileSync(resolve(INTEROP_DIR, relPath), 'utf8')) as T
}

/** Lines of a syntax vector file: blank lines and '#' comments skipped, never trimmed. */
export function readInteropLines(relPath: string): string[] {
  return readFileSync(resolve(INTEROP_DIR, relPath), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
}
