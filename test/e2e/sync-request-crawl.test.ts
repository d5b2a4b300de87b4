// `pds request-crawl`: notifies the given relays (or PDS_CRAWLERS) with this PDS's hostname.
import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requestCrawl } from '../../cli/commands/request-crawl.ts'
import { testEnv } from '../helpers/server.ts'

function fakeRelay(status = 200, body = '{}') {
  const bodies: unknown[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      if (new URL(req.url).pathname !== '/xrpc/com.atproto.sync.requestCrawl')
        return new Response('no', { status: 404 })
      bodies.push(await req.json())
      return new Response(body, { status })
    },
  })
  return { bodies, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}

test('request-crawl with explicit hosts and hostname', async () => {
  const relay = fakeRelay()
  const results = await requestCrawl([relay.url], { hostname: 'pds.example.com', attempts: '1' })
  expect(results).toEqual([{ relay: relay.url, ok: true, status: 200 }])
  expect(relay.bodies).toEqual([{ hostname: 'pds.example.com' }])
  relay.stop()
})

test('request-crawl reads PDS_CRAWLERS and PDS_HOSTNAME from pds.env, and reports refusals with status and message', async () => {
  const good = fakeRelay()
  const bad = fakeRelay(400, JSON.stringify({ error: 'InvalidRequest', message: 'host is banned' }))
  const dir = mkdtempSync(join(tmpdir(), 'pds-crawl-'))
  const env = testEnv(dir, 2583, { PDS_HOSTNAME: 'my.pds.test', PDS_CRAWLERS: `${good.url},${bad.url}` })
  writeFileSync(
    join(dir, 'pds.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  )
  const results = await requestCrawl([], { dataDir: dir, attempts: '1' })
  // A refusal says the relay's status and message, not just "failed".
  expect(results).toEqual([
    { relay: good.url, ok: true, status: 200 },
    { relay: bad.url, ok: false, status: 400, message: 'InvalidRequest: host is banned' },
  ])
  expect(good.bodies).toEqual([{ hostname: 'my.pds.test' }])
  expect(bad.bodies).toEqual([{ hostname: 'my.pds.test' }])
  good.stop()
  bad.stop()
  rmSync(dir, { recursive: true, force: true })
})
