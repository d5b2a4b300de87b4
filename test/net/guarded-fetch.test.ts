// The guarded fetch resolves a host once and connects to the address it checked: a resolver that
// answers a public address for the check and an internal one a moment later (DNS rebinding) gets
// nowhere. 127.0.0.2 plays the public internet, 127.0.0.1 the internal network.
import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { forward } from '../../src/services/proxy/forward.ts'
import { resolveServiceUrl } from '../../src/services/proxy/target.ts'
import { BlockedDestinationError, guardedFetch, isPrivateAddress, pinUrl, type FetchPolicy } from '../../src/services/net/guarded-fetch.ts'

const PUBLIC = '127.0.0.2'
const INTERNAL = '127.0.0.1'
const isBlocked = (a: string) => a !== PUBLIC && isPrivateAddress(a)

const hits = { public: 0, internal: 0 }
const publicServer = Bun.serve({ hostname: PUBLIC, port: 0, fetch: (req) => (hits.public++, Response.json({ server: 'public', host: req.headers.get('host') })) })
const internalServer = Bun.serve({ hostname: INTERNAL, port: publicServer.port, fetch: () => (hits.internal++, Response.json({ server: 'internal' })) })
afterAll(() => {
  publicServer.stop(true)
  internalServer.stop(true)
})

/** Answers each lookup with the next entry of `answers` (the last one repeats), counting calls. */
function rebinding(answers: string[][]) {
  let calls = 0
  const lookup = async () => answers[Math.min(calls++, answers.length - 1)]!
  return { lookup, calls: () => calls }
}

describe('guarded fetch', () => {
  test('a rebinding resolver is asked once, and the connection goes to the address that was checked', async () => {
    const dns = rebinding([[PUBLIC], [INTERNAL]])
    const before = { ...hits }
    const res = await guardedFetch(`http://rebind.example:${publicServer.port}/x`, {}, { lookup: dns.lookup, isBlocked })
    expect(await res.json()).toEqual({ server: 'public', host: `rebind.example:${publicServer.port}` })
    expect(dns.calls()).toBe(1)
    expect(hits.internal).toBe(before.internal)
    expect(hits.public).toBe(before.public + 1)
  })

  test('an internal address among the answers refuses the whole fetch', async () => {
    const dns = rebinding([[PUBLIC, INTERNAL]])
    const err = await guardedFetch(`http://mixed.example:${publicServer.port}/`, {}, { lookup: dns.lookup, isBlocked }).catch((e) => e)
    expect(err).toBeInstanceOf(BlockedDestinationError)
    expect(err.message).toBe('mixed.example resolves to a private address')
    expect(hits.internal).toBe(0)
  })

  test('redirects are handed back, never followed to an unchecked host', async () => {
    const redirector = Bun.serve({ hostname: PUBLIC, port: 0, fetch: () => Response.redirect(`http://${INTERNAL}:${internalServer.port}/`, 302) })
    try {
      const res = await guardedFetch(`http://hop.example:${redirector.port}/`, {}, { lookup: async () => [PUBLIC], isBlocked })
      expect(res.status).toBe(302)
      expect(hits.internal).toBe(0)
    } finally {
      redirector.stop(true)
    }
  })

  test('https goes to the pinned address with the name in SNI, and the certificate is checked against the name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pds-sni-'))
    try {
      const made = Bun.spawnSync(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=secure.example', '-addext', 'subjectAltName=DNS:secure.example'])
      expect(made.exitCode).toBe(0)
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8')
      const tlsServer = Bun.serve({ hostname: PUBLIC, port: 0, tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') }, fetch: (req) => Response.json({ host: req.headers.get('host') }) })
      try {
        const policy: FetchPolicy = { lookup: async () => [PUBLIC], isBlocked, httpsOnly: true }
        const res = await guardedFetch(`https://secure.example:${tlsServer.port}/`, { tls: { ca: cert } }, policy)
        expect(await res.json()).toEqual({ host: `secure.example:${tlsServer.port}` })
        // A name the certificate does not cover fails the TLS check even though the address is the same.
        const wrongName = await guardedFetch(`https://other.example:${tlsServer.port}/`, { tls: { ca: cert } }, policy).catch((e) => e)
        expect(wrongName).toBeInstanceOf(Error)
        expect(String(wrongName.message ?? wrongName)).toMatch(/ALTNAME|certificate|hostname/i)
      } finally {
        tlsServer.stop(true)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('loopback, private, link-local/metadata, CGNAT and IPv6 forms of them are refused; public addresses pass', async () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::10.0.0.1', 'ff02::1']) {
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true])
    }
    for (const ip of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect([ip, isPrivateAddress(ip)]).toEqual([ip, false])
    for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/']) {
      expect((await pinUrl(url).catch((e) => e)).reason).toBe('private')
    }
  })

  test('other schemes, credentials in the URL, http when https is required, and unresolvable names are refused', async () => {
    expect((await pinUrl('file:///etc/passwd').catch((e) => e)).reason).toBe('scheme')
    expect((await pinUrl('http://public.example/', { httpsOnly: true, lookup: async () => ['93.184.216.34'] }).catch((e) => e)).reason).toBe('scheme')
    expect((await pinUrl('https://u:p@public.example/', { lookup: async () => ['93.184.216.34'] }).catch((e) => e)).reason).toBe('credentials')
    expect((await pinUrl('https://nowhere.example/', { lookup: async () => { throw new Error('ENOTFOUND') } }).catch((e) => e)).reason).toBe('unresolvable')
  })

  test('the proxy connects to the address it checked for a DID document endpoint, not to a second lookup', async () => {
    const dns = rebinding([['93.184.216.34'], [INTERNAL]])
    const doc = { id: 'did:web:svc.example', service: [{ id: '#svc', type: 'Svc', serviceEndpoint: `https://svc.example:${publicServer.port}` }] }
    const deps = { config: { service: { devMode: false } }, didResolver: { resolve: async () => doc }, resolveHost: dns.lookup } as never
    const target = await resolveServiceUrl(deps, 'did:web:svc.example', '#svc')
    expect(target).toEqual({ url: `https://svc.example:${publicServer.port}`, address: '93.184.216.34' })
    expect(dns.calls()).toBe(1)
    // forward() goes to target.address (here swapped for the test's "public" server) with the endpoint's name as Host.
    const res = await forward({ url: `http://svc.example:${publicServer.port}/xrpc/x`, method: 'GET', headers: {}, decompress: true, address: PUBLIC })
    expect(await new Response(res.body).json()).toEqual({ server: 'public', host: `svc.example:${publicServer.port}` })
  })
})
