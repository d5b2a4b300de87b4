// The layers point one way (cli → edge → services → storage → core), read from the real import graph.
import { describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { cycles, folderCycles, importGraph, layerViolations } from './import-graph.ts'
import { httpGlobalUses } from './http-globals.ts'

const root = resolve(import.meta.dir, '../..')
const fixture = resolve(import.meta.dir, '../fixtures/wrong-way-imports')
const httpFixture = resolve(import.meta.dir, '../fixtures/http-in-services')

/**
 * Service files that may name `Request`/`Response`: outbound fetch clients reading a remote's answer
 * (outbound I/O, not the HTTP edge). Each returns plain data to its callers.
 */
const OUTBOUND_FETCH_CLIENTS = new Set([
  'src/services/identity/plc-client.ts', // the PLC directory's HTTP API
  'src/services/oauth/safe-fetch.ts', // client metadata documents, fetched with SSRF and size guards
  'src/services/proxy/forward.ts', // the one upstream exchange of the proxy: reads the upstream's Response
  'src/services/notify/http.ts', // webhook channels (Discord, Telegram, ntfy): reads their answers
  'src/services/migration/xrpc-client.ts', // XRPC calls to another PDS (account migration): reads its answers
  'src/services/net/guarded-fetch.ts', // the pinned fetch for user-chosen URLs: hands the remote's Response to those clients
])

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

  test('services know nothing of HTTP: no Request or Response outside the outbound fetch clients', () => {
    expect(httpGlobalUses(root, 'src/services', OUTBOUND_FETCH_CLIENTS)).toEqual([])
    // The allowlist names real files that still need it (a stale entry would hide nothing, but mislead).
    for (const file of OUTBOUND_FETCH_CLIENTS) expect(httpGlobalUses(root, file.replace(/\/[^/]+$/, '')).some((u) => u.startsWith(`${file}:`))).toBe(true)
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

describe('services that speak HTTP (test/fixtures/http-in-services)', () => {
  test('each use of Request or Response is named with its file and line; comments, strings and property names are not uses', () => {
    expect(httpGlobalUses(httpFixture, 'src/services')).toEqual([
      'src/services/fetch-client.ts:3 uses Response',
      'src/services/leaky.ts:2 uses Request',
      'src/services/leaky.ts:2 uses Response',
      'src/services/leaky.ts:4 uses Response',
      'src/services/leaky.ts:5 uses Response',
    ])
  })

  test('an allowlisted outbound fetch client is let through, the rest still fail', () => {
    expect(httpGlobalUses(httpFixture, 'src/services', new Set(['src/services/fetch-client.ts']))).toEqual([
      'src/services/leaky.ts:2 uses Request',
      'src/services/leaky.ts:2 uses Response',
      'src/services/leaky.ts:4 uses Response',
      'src/services/leaky.ts:5 uses Response',
    ])
  })
})
