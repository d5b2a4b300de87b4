// The data directory's lock: exclusive, names its holder, released on release() and by the kernel
// when the holder dies (the kill -9 case is in test/cli/operator-traps.test.ts).
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataDirectoryLockedError, LOCK_FILE, lockDataDirectory, readLockHolder } from '../../src/storage/data-lock.ts'

const dir = mkdtempSync(join(tmpdir(), 'pds-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('a second lock is refused naming the holder; after release it is free again', () => {
  const first = lockDataDirectory(dir, 'pds serve')
  expect(readLockHolder(dir)).toMatchObject({ pid: process.pid, command: 'pds serve' })
  let refused: unknown
  try {
    lockDataDirectory(dir, 'pds backup restore')
  } catch (err) {
    refused = err
  }
  expect(refused).toBeInstanceOf(DataDirectoryLockedError)
  expect((refused as Error).message).toStartWith(`data directory ${dir} is in use by pid ${process.pid} (pds serve, since `)
  first.release()
  expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('')
  const second = lockDataDirectory(dir, 'pds backup restore')
  expect(readLockHolder(dir)?.command).toBe('pds backup restore')
  second.release()
})

test('a lock held by another process is refused; it is gone once that process exits', async () => {
  const holder = Bun.spawn(
    [process.execPath, '-e', `const { lockDataDirectory } = await import(${JSON.stringify(join(import.meta.dir, '../../src/storage/data-lock.ts'))}); lockDataDirectory(${JSON.stringify(dir)}, 'pds serve'); console.log('locked'); await Bun.sleep(60_000)`],
    { stdout: 'pipe' },
  )
  const reader = holder.stdout.getReader()
  expect(new TextDecoder().decode((await reader.read()).value)).toContain('locked')
  expect(() => lockDataDirectory(dir, 'pds serve')).toThrow(`in use by pid ${holder.pid} (pds serve`)
  holder.kill('SIGKILL')
  await holder.exited
  lockDataDirectory(dir, 'pds serve').release()
}, 20_000)
