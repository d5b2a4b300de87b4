// Wrong-code counting with a controlled clock: per account and per IP, windows, lockout expiry.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { FactorLockout, ACCOUNT_RULE, IP_RULE } from '../../src/services/factors/lockout.ts'

function setup() {
  let now = 1_700_000_000_000
  const lockout = new FactorLockout(openDatabase(':memory:', 'account'), () => now)
  return { lockout, advance: (ms: number) => (now += ms) }
}
const lockedMessage = (fn: () => void) => {
  try {
    fn()
    return null
  } catch (err) {
    return (err as Error).message
  }
}

test('an account locks after its limit and unlocks when the lock ends', () => {
  const { lockout, advance } = setup()
  const k = { did: 'did:plc:a', ip: '192.0.2.1' }
  for (let i = 0; i < ACCOUNT_RULE.failures - 1; i++) lockout.recordFailure(k)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBeNull()
  lockout.recordFailure(k)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBe('Too many wrong sign-in codes for this account. Try again in 15 minutes.')
  // From another address too: the account is what is locked.
  expect(lockedMessage(() => lockout.assertNotLocked({ did: 'did:plc:a', ip: '198.51.100.7' }))).toContain('this account')
  advance(ACCOUNT_RULE.lockMs - 60_000)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBe('Too many wrong sign-in codes for this account. Try again in 1 minute.')
  advance(60_001)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBeNull()
  // After the lock a new window starts: one mistake does not lock again.
  lockout.recordFailure(k)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBeNull()
})

test('mistakes spread over more than the window do not add up; a right code forgives the account', () => {
  const { lockout, advance } = setup()
  const k = { did: 'did:plc:b' }
  for (let i = 0; i < ACCOUNT_RULE.failures * 2; i++) {
    lockout.recordFailure(k)
    if (i % (ACCOUNT_RULE.failures - 1) === ACCOUNT_RULE.failures - 2) advance(ACCOUNT_RULE.windowMs + 1)
  }
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBeNull()
  for (let i = 0; i < ACCOUNT_RULE.failures - 1; i++) lockout.recordFailure(k)
  lockout.recordSuccess(k)
  lockout.recordFailure(k)
  expect(lockedMessage(() => lockout.assertNotLocked(k))).toBeNull()
})

test('one address guessing across many accounts is locked out, other addresses are not', () => {
  const { lockout } = setup()
  for (let i = 0; i < IP_RULE.failures; i++) lockout.recordFailure({ did: `did:plc:victim${i}`, ip: '203.0.113.9' })
  expect(lockedMessage(() => lockout.assertNotLocked({ did: 'did:plc:fresh', ip: '203.0.113.9' }))).toBe(
    'Too many wrong sign-in codes for your network address. Try again in 15 minutes.',
  )
  expect(lockedMessage(() => lockout.assertNotLocked({ did: 'did:plc:fresh', ip: '203.0.113.10' }))).toBeNull()
})
