// The embedded lexicon bundle must match lexicons/ and load quickly and completely.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { LEXICONS_GEN_FILE, readLexiconDocuments, renderLexiconModule } from '../../scripts/gen-lexicons.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { Lexicons } from '../../src/core/lexicon/index.ts'

describe('src/generated/lexicons.gen.ts', () => {
  // First, so it measures a cold start (nothing parsed yet in this process).
  test('startup: loading the bundle lazily and a first validation take well under 100 ms', () => {
    const started = performance.now()
    const lex = new Lexicons(LEXICON_SOURCES, { lazy: true })
    const post = { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2024-01-01T00:00:00Z' }
    expect(lex.validateRecord('app.bsky.feed.post', post).success).toBe(true)
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(50)
  })

  test('is up to date with lexicons/ (run `bun scripts/gen-lexicons.ts`)', () => {
    const expected = renderLexiconModule(readLexiconDocuments())
    expect(readFileSync(LEXICONS_GEN_FILE, 'utf8') === expected).toBe(true)
  })

  test('holds every document once, sorted by id', () => {
    const ids = LEXICON_SOURCES.map((doc) => (doc as { id: string }).id)
    expect(ids.length).toBe(readLexiconDocuments().length)
    expect(ids).toEqual([...new Set(ids)].sort())
  })

  test('every document passes the schema check', () => {
    const lex = new Lexicons(LEXICON_SOURCES)
    expect(lex.ids().length).toBe(LEXICON_SOURCES.length)
    expect(lex.getMethod('com.atproto.repo.createRecord')?.kind).toBe('procedure')
  })

  test('every ref points at a loaded definition', () => {
    const lex = new Lexicons(LEXICON_SOURCES)
    const dangling: string[] = []
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item) => walk(item, where))
      if (!node || typeof node !== 'object') return
      const obj = node as Record<string, unknown>
      const refs = obj.type === 'ref' ? [obj.ref] : obj.type === 'union' ? (obj.refs as unknown[]) : []
      for (const ref of refs) if (!lex.getDef(String(ref))) dangling.push(`${where} → ${String(ref)}`)
      for (const value of Object.values(obj)) walk(value, where)
    }
    for (const id of lex.ids()) walk(lex.getDoc(id), id)
    expect(dangling).toEqual([])
  })

})
