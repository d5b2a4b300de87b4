import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { handlerFiles, nsidForFile, renderRegistry } from '../../scripts/gen-registry.ts'
import { renderMigrations } from '../../scripts/gen-migrations.ts'
import { HANDLERS } from '../../src/generated/registry.gen.ts'
import { lexiconDocuments } from '../../src/generated/lexicons.gen.ts'

const root = resolve(import.meta.dir, '../..')

test('the generated registry is up to date with src/api/', () => {
  expect(readFileSync(resolve(root, 'src/generated/registry.gen.ts'), 'utf8')).toBe(renderRegistry())
})

test('the generated migrations are up to date with migrations/', () => {
  expect(readFileSync(resolve(root, 'src/generated/migrations.gen.ts'), 'utf8')).toBe(renderMigrations())
})

test("each handler file's path is its NSID, and each NSID is a lexicon method", () => {
  const files = handlerFiles()
  expect(HANDLERS.map((h) => h.nsid)).toEqual(files.map(nsidForFile))
  const methods = new Set(
    (lexiconDocuments() as Array<{ id: string; defs: Record<string, { type: string }> }>)
      .filter((d) => ['query', 'procedure', 'subscription'].includes(d.defs.main?.type ?? ''))
      .map((d) => d.id),
  )
  for (const handler of HANDLERS) expect(methods.has(handler.nsid)).toBe(true)
})
