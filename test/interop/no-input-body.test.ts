// Issue 14 item 2: a procedure whose lexicon declares no input refuses a request body, as the reference
// does (this is what stopped `pds migrate --from <reference>`); an empty body, or none, is fine. Each
// case runs on both servers and the answers must match.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startPeers, createAccount, type Peers } from './peers.ts'

let env: Peers
beforeAll(async () => {
  env = await startPeers()
}, 600_000) // the first run may compile the reference's SQLite addon (scripts/ensure-reference-pds.sh)
afterAll(() => env?.close())

const CASES: Array<[string, (auth: string) => RequestInit]> = [
  ['no body', (auth) => ({ method: 'POST', headers: { authorization: auth } })],
  ['an empty body (Content-Length: 0)', (auth) => ({ method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '' })],
  ['{} as JSON', (auth) => ({ method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' })],
  ['text without a content type', (auth) => ({ method: 'POST', headers: { authorization: auth }, body: 'x' })],
  [
    'a chunked body',
    (auth) => ({
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('{}')), c.close()) }),
      duplex: 'half',
    }) as RequestInit,
  ],
]

test('com.atproto.server.activateAccount (no input) with and without a body: same answers on both servers', async () => {
  const answers: Record<string, Record<string, string>> = {}
  for (const peer of env.peers) {
    const { agent } = await createAccount(peer, 'noinput')
    const auth = `Bearer ${agent.session!.accessJwt}`
    answers[peer.name] = {}
    for (const [name, init] of CASES) {
      const res = await fetch(`${peer.url}/xrpc/com.atproto.server.activateAccount`, init(auth))
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string }
      answers[peer.name]![name] = res.ok ? String(res.status) : `${res.status} ${body.error}: ${body.message}`
    }
  }
  expect(answers.ours).toEqual(answers.reference!)
  expect(answers.ours!['{} as JSON']).toBe('400 InvalidRequest: A request body was provided when none was expected')
  expect(answers.ours!['a chunked body']).toBe('400 InvalidRequest: A request body was provided when none was expected')
  expect(answers.ours!['no body']).toBe('200')
}, 30_000)
