import { expect, test } from 'bun:test'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { markRunning } from '../../src/storage/run-marker.ts'

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
