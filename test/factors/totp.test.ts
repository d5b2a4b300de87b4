// TOTP against RFC 6238's SHA-1 vectors, base32, the otpauth URI, backup codes and the QR code
// (rasterised with sharp and read back with jsQR, as a phone camera would).
import { describe, expect, test } from 'bun:test'
import sharp from 'sharp'
import jsQR from 'jsqr'
import { base32Decode, base32Encode, hotp, matchingStep, newTotpSecret, otpauthUri, stepAt, totpAt } from '../../src/services/factors/totp.ts'
import { hashBackupCode, newBackupCodes, normaliseBackupCode } from '../../src/services/factors/backup-codes.ts'
import { qrSvg } from '../../src/services/factors/qr.ts'

const RFC_SECRET = base32Encode(new TextEncoder().encode('12345678901234567890'))

describe('TOTP', () => {
  test('RFC 6238 appendix B (SHA-1), last six digits', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ]
    for (const [seconds, eight] of vectors) expect(totpAt(RFC_SECRET, seconds * 1000)).toBe(eight.slice(2))
  })

  test('RFC 4226 appendix D HOTP values', () => {
    const secret = new TextEncoder().encode('12345678901234567890')
    expect([0, 1, 2, 9].map((c) => hotp(secret, c))).toEqual(['755224', '287082', '359152', '520489'])
  })

  test('base32 round trip, 160-bit secrets', () => {
    for (let n = 0; n < 25; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n))
      expect(base32Decode(base32Encode(bytes))).toEqual(bytes)
    }
    expect(base32Decode(newTotpSecret()).length).toBe(20)
    expect(() => base32Decode('not base32!')).toThrow()
  })

  test('accepts the previous, current and next step only', () => {
    const secret = newTotpSecret()
    const now = 1_700_000_000_000
    const step = stepAt(now)
    for (const d of [-1, 0, 1]) expect(matchingStep(secret, totpAt(secret, now + d * 30_000), now)).toBe(step + d)
    expect(matchingStep(secret, totpAt(secret, now - 60_000), now)).toBeNull()
    expect(matchingStep(secret, totpAt(secret, now + 60_000), now)).toBeNull()
    expect(matchingStep(secret, 'abcdef', now)).toBeNull()
    expect(matchingStep(secret, '1234567', now)).toBeNull()
  })

  test('otpauth URI in the Key Uri Format', () => {
    const uri = new URL(otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'pds.example', account: 'alice.pds.example' }))
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.host).toBe('totp')
    expect(decodeURIComponent(uri.pathname)).toBe('/pds.example:alice.pds.example')
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'pds.example', algorithm: 'SHA1', digits: '6', period: '30' })
  })
})

describe('backup codes', () => {
  test('ten distinct codes; typing variants normalise; hashes are per account', () => {
    const codes = newBackupCodes()
    expect(codes.length).toBe(10)
    expect(new Set(codes).size).toBe(10)
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/)
    const c = codes[0]!
    expect(normaliseBackupCode(` ${c.toUpperCase().replace('-', ' ')} `)).toBe(c.replace('-', ''))
    expect(normaliseBackupCode('123456')).toBeNull()
    expect(hashBackupCode('did:plc:a', 'abcdeabcde')).not.toBe(hashBackupCode('did:plc:b', 'abcdeabcde'))
  })
})

describe('QR code', () => {
  test('the SVG reads back as the otpauth URI', async () => {
    const uri = otpauthUri({ secret: newTotpSecret(), issuer: 'pds.example', account: 'bob.pds.example' })
    const svg = qrSvg(uri)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).not.toContain('<script')
    const { data, info } = await sharp(Buffer.from(svg)).resize(400).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const read = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)
    expect(read?.data).toBe(uri)
  })
})
