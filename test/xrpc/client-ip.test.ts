import { describe, expect, test } from 'bun:test'
import { clientIp } from '../../src/xrpc/client-ip.ts'

const peer = (address: string) => ({ requestIP: () => ({ address }) })
const req = (xff?: string) => new Request('http://pds.test/xrpc/x', { headers: xff ? { 'x-forwarded-for': xff } : {} })

describe('clientIp', () => {
  test('a direct client is its peer address, whatever it claims', () => {
    expect(clientIp(req('6.6.6.6'), peer('203.0.113.9'), [])).toBe('203.0.113.9')
  })

  test('behind a loopback proxy, the nearest untrusted hop of X-Forwarded-For', () => {
    expect(clientIp(req('198.51.100.7'), peer('127.0.0.1'), [])).toBe('198.51.100.7')
    expect(clientIp(req('6.6.6.6, 198.51.100.7'), peer('::1'), [])).toBe('198.51.100.7')
    expect(clientIp(req(), peer('::ffff:127.0.0.1'), [])).toBe('127.0.0.1')
  })

  test('configured proxies are trusted like loopback, and skipped in the chain', () => {
    expect(clientIp(req('6.6.6.6, 198.51.100.7, 10.0.0.2'), peer('10.0.0.1'), ['10.0.0.1', '10.0.0.2'])).toBe('198.51.100.7')
    expect(clientIp(req('198.51.100.7'), peer('10.0.0.3'), ['10.0.0.1'])).toBe('10.0.0.3')
  })
})
