import { expect, test } from 'bun:test'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { markRunning, requireFullCheckAtNextStart } from '../../src/storage/run-marker.ts'

test('the run marker tells a crashed previous run from a clean stop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-marker-'))
  const first = markRunning(dir)
  expect(first.previousRunCrashed).toBe(false)
  // no clear(): as after kill -9
  const second = markRunning(dir)
  expect(second.previousRunCrashed).toBe(true)
  second.clear()
  expect(existsSync(join(dir, '.pds-running'))).toBe(false)
  expect(markRunning(dir).previousRunCrashed).toBe(false)
})

test('a crash on this boot is told from one on another boot (or a restore), whose marks cannot be trusted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pds-marker-'))
  markRunning(dir) // no clear(): as after kill -9
  expect(markRunning(dir).previousRun).toBe('crashed')
  // Another boot id recorded: the OS went down with the process (power loss), page cache and all.
  writeFileSync(join(dir, '.pds-running'), '123\nsome-other-boot\n')
  expect(markRunning(dir).previousRun).toBe('unknown')
  const marker = markRunning(dir)
  marker.requireFullCheck()
  marker.clear() // a clean stop after a mark failed still leaves the next start a full check
  expect(markRunning(dir).previousRun).toBe('unknown')
  requireFullCheckAtNextStart(dir)
  const afterRestore = markRunning(dir)
  expect(afterRestore.previousRun).toBe('unknown')
  afterRestore.clear()
  expect(markRunning(dir).previousRun).toBe('clean')
})
