// The embedded lexicon bundle must match lexicons/ and load quickly and completely.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { LEXICONS_BUNDLE_FILE, LEXICONS_GEN_FILE, readLexiconDocuments, renderLexiconBundle, renderLexiconModule } from '../../scripts/gen-lexicons.ts'
import { lexiconSources } from '../../src/generated/lexicons.gen.ts'
import { Lexicons } from '../../src/core/lexicon/index.ts'

describe('src/generated/lexicons.gen.ts', () => {
  // First, so it sees a cold start (nothing parsed yet in this process). Speed is the bench's business;
  // this checks the cause of it: a first validation parses only the documents that record needs.
  test('startup: the bundle loads lazily and a first validation parses only what the record needs', () => {
    const lex = new Lexicons(lexiconSources(), { lazy: true })
    const parsed = () => (lex as unknown as { docs: Map<string, unknown> }).docs.size
    expect(parsed()).toBe(0)
    const post = { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2024-01-01T00:00:00Z' }
    expect(lex.validateRecord('app.bsky.feed.post', post).success).toBe(true)
    expect(parsed()).toBeGreaterThan(0)
    expect(parsed()).toBeLessThan(40) // of ~400 documents in the bundle
  })

  test('is up to date with lexicons/ (run `bun scripts/gen-lexicons.ts`)', () => {
    const expected = renderLexiconModule(readLexiconDocuments())
    expect(readFileSync(LEXICONS_GEN_FILE, 'utf8') === expected).toBe(true)
    expect(readFileSync(LEXICONS_BUNDLE_FILE, 'utf8') === renderLexiconBundle(readLexiconDocuments())).toBe(true)
  })

  test('holds every document once, sorted by id', () => {
    const ids = lexiconSources().map((doc) => (doc as { id: string }).id)
    expect(ids.length).toBe(readLexiconDocuments().length)
    expect(ids).toEqual([...new Set(ids)].sort())
  })

  test('every document passes the schema check', () => {
    const lex = new Lexicons(lexiconSources())
    expect(lex.ids().length).toBe(lexiconSources().length)
    expect(lex.getMethod('com.atproto.repo.createRecord')?.kind).toBe('procedure')
  })

  test('every ref points at a loaded definition', () => {
    const lex = new Lexicons(lexiconSources())
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
