// The ustar writer: archives of files of any size (empty, exactly one block, odd) that the system's tar
// lists and extracts byte for byte, with the length announced beforehand.
import { expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TAR_END_LENGTH, tarEntryLength, tarHeader, tarPadding } from '../../src/core/tar.ts'

test('the system tar reads what we write', () => {
  const files = [
    { name: 'empty', bytes: new Uint8Array(0) },
    { name: 'block.bin', bytes: new Uint8Array(512).fill(7) },
    { name: 'odd.txt', bytes: new TextEncoder().encode('hello, tar\n'.repeat(100)) },
  ]
  const parts = files.flatMap((f) => [tarHeader(f.name, f.bytes.length, 1_700_000_000), f.bytes, tarPadding(f.bytes.length)])
  parts.push(new Uint8Array(TAR_END_LENGTH))
  const archive = Buffer.concat(parts)
  expect(archive.length).toBe(files.reduce((n, f) => n + tarEntryLength(f.bytes.length), TAR_END_LENGTH))
  const dir = mkdtempSync(join(tmpdir(), 'pds-tar-'))
  try {
    writeFileSync(join(dir, 'a.tar'), archive)
    const list = Bun.spawnSync(['tar', '-tvf', join(dir, 'a.tar')])
    expect(list.exitCode).toBe(0)
    expect(list.stdout.toString().trim().split('\n').map((l) => l.split(/\s+/).at(-1))).toEqual(files.map((f) => f.name))
    expect(Bun.spawnSync(['tar', '-xf', join(dir, 'a.tar'), '-C', dir]).exitCode).toBe(0)
    for (const f of files) expect(Buffer.compare(readFileSync(join(dir, f.name)), f.bytes)).toBe(0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('names it cannot write are refused', () => {
  expect(() => tarHeader('x'.repeat(101), 1, 0)).toThrow()
  expect(() => tarHeader('naïve', 1, 0)).toThrow()
})
