// The layers point one way (cli → edge → services → storage → core), read from the real import graph.
import { describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { cycles, folderCycles, importGraph, layerViolations } from './import-graph.ts'

const root = resolve(import.meta.dir, '../..')
const fixture = resolve(import.meta.dir, '../fixtures/wrong-way-imports')

describe('the real source tree', () => {
  const edges = importGraph(root, ['src', 'cli'])

  test('the graph is read (a sanity floor, so an unparsed tree cannot pass)', () => {
    expect(edges.length).toBeGreaterThan(500)
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/main.ts', to: 'src/xrpc/app.ts' }))
  })

  test('every import points down: core ← storage ← services ← edge ← cli', () => {
    expect(layerViolations(edges)).toEqual([])
  })

  test('no import cycle between layer folders or between their subfolders', () => {
    expect(folderCycles(edges, 1)).toEqual([])
    expect(folderCycles(edges, 2)).toEqual([])
  })

  test('no import cycle between files (not even type-only ones)', () => {
    expect(cycles(edges, (file) => file)).toEqual([])
  })
})

describe('a tree with wrong-way imports (test/fixtures/wrong-way-imports)', () => {
  const edges = importGraph(fixture, ['src', 'cli'])

  test('each wrong-way import is named with its file, line and target', () => {
    expect(layerViolations(edges).sort()).toEqual([
      'cli/export.ts:2 (cli) imports src/storage/db.ts (storage)',
      'src/core/cid.ts:2 (core) imports src/services/records.ts (services)',
      'src/services/records.ts:2 (services) imports src/xrpc/handler.ts (edge)',
    ])
  })

  test('the services ⇄ edge loop is a folder cycle and a file cycle', () => {
    expect(folderCycles(edges, 1)).toEqual([['src/services', 'src/xrpc']])
    expect(cycles(edges, (file) => file)).toEqual([['src/services/records.ts', 'src/xrpc/handler.ts']])
  })
})
