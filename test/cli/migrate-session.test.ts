// AccountSession: an expired access token means one fresh login and one retry, nothing more.
import { describe, expect, test } from 'bun:test'
import { AccountSession } from '../../cli/lib/account-session.ts'
import { XrpcClient, XrpcResponseError } from '../../cli/lib/xrpc-client.ts'

function fakePds(expireFirstCalls: number) {
  const seen: Array<{ nsid: string; auth: string | null }> = []
  let logins = 0
  let expired = expireFirstCalls
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    const nsid = new URL(String(input)).pathname.slice('/xrpc/'.length)
    seen.push({ nsid, auth: new Headers(init?.headers).get('authorization') })
    if (nsid === 'com.atproto.server.createSession') {
      logins++
      return Response.json({ did: 'did:plc:abc', handle: 'a.test', accessJwt: `token-${logins}` })
    }
    if (expired-- > 0) return Response.json({ error: 'ExpiredToken', message: 'Token has expired' }, { status: 400 })
    return Response.json({ ok: true })
  }
  return { client: new XrpcClient('http://pds.invalid', undefined, fetchFn), seen, logins: () => logins }
}

describe('AccountSession', () => {
  test('logs in again once when the access token has expired, then retries with the new token', async () => {
    const pds = fakePds(1)
    const session = await AccountSession.login(pds.client, 'a.test', 'pw')
    expect(await session.run((c) => c.query('com.atproto.server.getSession'))).toEqual({ ok: true })
    expect(pds.logins()).toBe(2)
    expect(pds.seen.filter((s) => s.nsid === 'com.atproto.server.getSession').map((s) => s.auth)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  test('a token that is still refused after the fresh login is an error, not a loop', async () => {
    const pds = fakePds(5)
    const session = await AccountSession.login(pds.client, 'a.test', 'pw')
    const err = await session.run((c) => c.query('com.atproto.server.getSession')).catch((e) => e)
    expect(err).toBeInstanceOf(XrpcResponseError)
    expect((err as XrpcResponseError).error).toBe('ExpiredToken')
    expect(pds.logins()).toBe(2)
  })
})
