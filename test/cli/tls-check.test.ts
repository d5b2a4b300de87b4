// /tls-check: the on-demand TLS "ask" endpoint the sample Caddyfile points at.
import { describe, expect, test } from 'bun:test'
import { tlsCheckDecision } from '../../src/xrpc/routes/tls-check.ts'
import { startTestServer } from '../helpers/server.ts'

const accounts = {
  getAccount: (handle: string, flags?: { includeDeactivated?: boolean }) =>
    handle === 'alice.pds.example.com' || (handle === 'sleepy.pds.example.com' && flags?.includeDeactivated) ? { did: 'did:plc:x' } : null,
}
const opts = { hostname: 'pds.example.com', handleDomains: ['.pds.example.com'], accounts: () => accounts }

describe('tls-check', () => {
  test('the hostname and local handles (deactivated too) get certificates', () => {
    expect(tlsCheckDecision('pds.example.com', opts).status).toBe(200)
    expect(tlsCheckDecision('PDS.example.com', opts).status).toBe(200)
    expect(tlsCheckDecision('alice.pds.example.com', opts).status).toBe(200)
    expect(tlsCheckDecision('sleepy.pds.example.com', opts).status).toBe(200)
  })

  test('unknown handles, other domains and a missing parameter do not', () => {
    expect(tlsCheckDecision('bob.pds.example.com', opts).status).toBe(404)
    expect(tlsCheckDecision('evil.example.net', opts).status).toBe(404)
    expect(tlsCheckDecision('alice.pds.example.com', { ...opts, accounts: () => undefined }).status).toBe(404)
    expect(tlsCheckDecision(null, opts).status).toBe(400)
  })

  test('the running server answers it', async () => {
    const server = await startTestServer()
    try {
      const ok = await fetch(`${server.url}/tls-check?domain=localhost`)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ success: true })
      expect((await fetch(`${server.url}/tls-check?domain=nobody.test`)).status).toBe(404)
      expect((await fetch(`${server.url}/tls-check?domain=example.org`)).status).toBe(404)
      expect((await fetch(`${server.url}/tls-check`)).status).toBe(400)
    } finally {
      await server.close()
    }
  })
})
