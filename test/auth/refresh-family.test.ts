// Refresh-token families (issue 23): within the reference's 2-hour grace a rotated-out refresh token
// still rotates (to the same successor); after it, presenting it again revokes every token rotated
// from the same login, and other logins of the account are untouched.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => server?.close())

async function xrpc(nsid: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  })
  return { status: res.status, body: (await res.json()) as Record<string, string> }
}

const refresh = (token: string) => xrpc('com.atproto.server.refreshSession', { token })

test('reusing a rotated-out refresh token after the grace window ends its whole family, and only it', async () => {
  const created = await xrpc('com.atproto.server.createAccount', { body: { email: 'fam@example.com', handle: 'fam.test', password: 'hunter2hunter2' } })
  expect(created.status).toBe(200)
  const other = await xrpc('com.atproto.server.createSession', { body: { identifier: 'fam.test', password: 'hunter2hunter2' } })

  const first = created.body.refreshJwt!
  const second = await refresh(first)
  expect(second.status).toBe(200)
  // Within the grace window the old token still works and names the same successor.
  const retried = await refresh(first)
  expect(retried.status).toBe(200)
  const third = await refresh(second.body.refreshJwt!)
  expect(third.status).toBe(200)

  // Three hours later the first token comes back: someone kept a copy.
  const manager = server.services.accounts.manager
  const realNow = manager.now
  manager.now = () => realNow() + 3 * 60 * 60 * 1000
  try {
    const reused = await refresh(first)
    expect(reused).toEqual({ status: 400, body: { error: 'ExpiredToken', message: 'Token has been revoked' } })
    // The family's live token (the owner's current session) is revoked too.
    expect((await refresh(third.body.refreshJwt!)).body.error).toBe('ExpiredToken')
    // A separate login of the same account goes on.
    expect((await refresh(other.body.refreshJwt!)).status).toBe(200)
  } finally {
    manager.now = realNow
  }
})

test('a token that was never rotated and simply does not exist revokes nothing', async () => {
  const created = await xrpc('com.atproto.server.createAccount', { body: { email: 'solo@example.com', handle: 'solo.test', password: 'hunter2hunter2' } })
  const token = created.body.refreshJwt!
  expect((await xrpc('com.atproto.server.deleteSession', { token })).status).toBe(200)
  expect((await refresh(token)).body.error).toBe('ExpiredToken')
})
