// Every XRPC method of the server, given malformed input, answers a clear error: never a 5xx, never
// an error body without {error, message}. Inputs come from each method's own lexicon: a well-formed
// request (refs resolved, the first member of each union), then each parameter or body field in turn
// replaced by values of the wrong type, size or form, and bodies that are not the declared JSON;
// each sent as an account and as the operator. (Exploratory runs with far more values, and leaves
// inside nested objects, found one method failing this way: createInviteCodes with codeCount 1e20.)
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { lexiconDocuments } from '../../src/generated/lexicons.gen.ts'
import { HANDLERS } from '../../src/generated/registry.gen.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

type Def = { type: string; [key: string]: any }
const documents = new Map((lexiconDocuments() as Array<{ id: string; defs: Record<string, Def> }>).map((doc) => [doc.id, doc]))

// Methods that end the caller's own session or account run last, so the others run signed in.
// Subscriptions (WebSockets) have their own tests of bad cursors.
const LAST = ['com.atproto.server.deleteSession', 'com.atproto.server.deactivateAccount', 'com.atproto.server.deleteAccount']
const nsids = HANDLERS.map((h) => h.nsid)
  .filter((nsid) => documents.get(nsid)?.defs.main?.type !== 'subscription')
  .sort((a, b) => Number(LAST.includes(a)) - Number(LAST.includes(b)))

let server: TestServer
let userAuth: string
/** Values of each string format: of the other account, so the operator's calls leave the caller alone. */
const wellFormed: Record<string, string> = {}

beforeAll(async () => {
  server = await startTestServer()
  const agent = new AtpAgent({ service: server.url })
  await agent.createAccount({ handle: 'caller.test', email: 'caller@example.com', password: 'caller-password' })
  userAuth = `Bearer ${agent.session!.accessJwt}`
  const other = new AtpAgent({ service: server.url })
  await other.createAccount({ handle: 'other.test', email: 'other@example.com', password: 'other-password' })
  const post = await other.post({ text: 'hello', createdAt: new Date().toISOString() })
  Object.assign(wellFormed, {
    did: other.session!.did,
    handle: 'other.test',
    'at-identifier': other.session!.did,
    'at-uri': post.uri,
    cid: post.cid,
    datetime: new Date().toISOString(),
    nsid: 'app.bsky.feed.post',
    'record-key': 'self',
    tid: '3jzfcijpj2z2a',
    uri: 'https://example.com/x',
    language: 'en',
  })
})
afterAll(() => server.close())

function resolveRef(ref: string, base: string): [Def | undefined, string] {
  const [id, name] = ref.startsWith('#') ? [base, ref.slice(1)] : ref.includes('#') ? (ref.split('#') as [string, string]) : [ref, 'main']
  return [documents.get(id)?.defs[name], id]
}

/** A well-formed value of `def` (documents' own ids for refs). */
function sample(def: Def | undefined, base: string, depth = 0): unknown {
  if (!def || depth > 8) return null
  switch (def.type) {
    case 'ref': {
      const [target, id] = resolveRef(def.ref, base)
      return sample(target, id, depth + 1)
    }
    case 'union': {
      const ref: string | undefined = def.refs?.[0]
      if (!ref) return {}
      const [target, id] = resolveRef(ref, base)
      const value = sample(target, id, depth + 1)
      return value && typeof value === 'object' ? { $type: ref.startsWith('#') ? `${base}${ref}` : ref, ...value } : value
    }
    case 'object':
    case 'params':
      return Object.fromEntries(Object.entries<Def>(def.properties ?? {}).map(([key, prop]) => [key, sample(prop, base, depth + 1)]))
    case 'array':
      return [sample(def.items, base, depth + 1)]
    case 'string':
      return def.knownValues?.[0] ?? def.enum?.[0] ?? wellFormed[def.format] ?? 'x'
    case 'integer':
      return def.minimum ?? 1
    case 'boolean':
      return true
    case 'unknown':
      return { $type: 'app.bsky.feed.post', text: 'x', createdAt: new Date().toISOString() }
    case 'cid-link':
      return { $link: wellFormed.cid }
    case 'bytes':
      return { $bytes: 'aGk' }
    case 'blob':
      return { $type: 'blob', ref: { $link: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' }, mimeType: 'image/png', size: 1 }
    default:
      return null
  }
}

const WRONG_VALUES: unknown[] = [null, -1, 1e20, 1.5, '', 'a'.repeat(3000), '\u0000', {}, [], 'did:plc:' + 'z'.repeat(24)]
const WRONG_BODIES = ['', '{"a":', '[]', 'null', '"x"', '['.repeat(50_000) + ']'.repeat(50_000)]

type Sent = { what: string; status: number; body: string }

async function send(nsid: string, what: string, init: { query?: URLSearchParams; body?: string; auth: string }): Promise<Sent> {
  const url = `${server.url}/xrpc/${nsid}${init.query?.size ? `?${init.query}` : ''}`
  const headers = { authorization: init.auth, ...(init.body !== undefined && { 'content-type': 'application/json' }) }
  const res = await fetch(url, init.body === undefined ? { headers } : { method: 'POST', headers, body: init.body })
  return { what, status: res.status, body: await res.text() }
}

function toQuery(params: Record<string, unknown>): URLSearchParams {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))
  }
  return query
}

/** Every request of one method's malformed set, as an account and as the operator. */
async function exercise(nsid: string): Promise<Sent[]> {
  const main = documents.get(nsid)!.defs.main!
  const sent: Sent[] = []
  const auths = [userAuth, server.adminAuth]
  if (main.type === 'query') {
    const base = (sample(main.parameters ?? { type: 'params' }, nsid) ?? {}) as Record<string, unknown>
    const variants: Array<[string, Record<string, unknown>]> = [['well-formed', base], ['no parameters', {}]]
    for (const key of Object.keys(base)) for (const value of WRONG_VALUES) variants.push([`${key}=${JSON.stringify(value).slice(0, 20)}`, { ...base, [key]: value }])
    for (const auth of auths) for (const [what, params] of variants) sent.push(await send(nsid, what, { query: toQuery(params), auth }))
    return sent
  }
  // Bodies that are not the declared JSON go to every procedure, those without input or with bytes too.
  const variants: Array<[string, string]> = WRONG_BODIES.map((body) => [`body ${body.slice(0, 12)}`, body])
  const schema = main.input?.encoding === 'application/json' ? main.input.schema : undefined
  const base = schema && sample(schema, nsid)
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    variants.push(['well-formed', JSON.stringify(base)])
    for (const key of Object.keys(base)) {
      for (const value of WRONG_VALUES) variants.push([`${key}=${JSON.stringify(value).slice(0, 20)}`, JSON.stringify({ ...base, [key]: value })])
      const { [key]: _, ...without } = base as Record<string, unknown>
      variants.push([`no ${key}`, JSON.stringify(without)])
    }
  }
  for (const auth of auths) for (const [what, body] of variants) sent.push(await send(nsid, what, { body, auth }))
  return sent
}

/** Not a clear error: a 5xx, or a 4xx whose body is not JSON with a string `error` (and a string `message` when there is one). */
function unclear(r: Sent): boolean {
  if (r.status < 400) return false
  let body: { error?: unknown; message?: unknown } | undefined
  try {
    body = JSON.parse(r.body)
  } catch {}
  const shaped = typeof body?.error === 'string' && (body.message === undefined || typeof body.message === 'string')
  return r.status >= 500 || !shaped
}

describe('malformed input to every method is a clear 4xx', () => {
  for (const nsid of nsids) {
    // createSession checks each password (scrypt): its ~90 requests take seconds.
    test(nsid, async () => {
      const sent = await exercise(nsid)
      expect(sent.length).toBeGreaterThan(0)
      expect(sent.filter(unclear).map((r) => `${r.what} -> ${r.status} ${r.body.slice(0, 160)}`)).toEqual([])
    }, 30_000)
  }
})
