// The router splits plain query strings itself; what it reads must be what the URL parser reads.
import { describe, expect, test } from 'bun:test'
import { queryParams } from '../../src/xrpc/dispatch.ts'

/** The reading before the fast path: every parameter through URL's searchParams, repeats collected. */
function viaUrl(url: string): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {}
  for (const [key, value] of new URL(url).searchParams) {
    const prev = raw[key]
    raw[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return raw
}

describe('queryParams', () => {
  const base = 'http://127.0.0.1:2583/xrpc/com.atproto.repo.listRecords'
  const queries = [
    '',
    '?',
    '?repo=did:plc:abc&collection=app.bsky.feed.post&limit=100&cursor=3k2a',
    '?a=1&a=2&a=3&b=4',
    '?a&b=&=c&&d==e',
    '?uri=at://did:plc:x/app.bsky.feed.post/1&cid=bafyrei',
    '?q=a+b&r=%20%2B%26',
    '?bad=%zz&x=%E6%97%A5',
    '?h=x#frag&y=1',
    "?quote='\"<>`{}|^~[]\\",
    '?space=a b&tab=a\tb&nl=a\nb',
    '?uni=日本&emoji=😀',
    '?__proto__=x&constructor=y&toString=z',
  ]
  for (const query of queries) {
    test(`reads ${JSON.stringify(query)} as the URL parser does`, () => {
      expect(queryParams(base + query)).toEqual(viaUrl(base + query))
    })
  }
})
