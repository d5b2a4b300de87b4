// Recovery of lost second factors with a controlled clock: the mailed links, nothing before the delay
// (asking again never brings it closer), everything cleared after it, cancelled by its link or by
// signing in with a factor (code or passkey path alike), a configurable delay, and nothing for an
// account without factors.
import { expect, test } from 'bun:test'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { FactorService } from '../../src/services/factors/factor-service.ts'
import { totpAt } from '../../src/services/factors/totp.ts'
import { insertPasskey } from '../../src/storage/account/factors.ts'
import type { Mailer } from '../../src/services/mail/mailer.ts'
import { buildNotify } from '../../src/services/notify/index.ts'
import { buildConfig } from '../../src/config/config.ts'
import { testEnv } from '../helpers/server.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const DID = 'did:plc:recoverme'

function setup(recoveryDelayMs?: number) {
  let now = 1_800_000_000_000
  const mails: { to: string; subject: string; text: string }[] = []
  const mailer = { send: async (m: { to: string; subject: string; text: string }) => void mails.push(m) } as unknown as Mailer
  const db = openDatabase(':memory:', 'account')
  const log = { warn() {}, info() {}, error() {}, debug() {}, trace() {} } as never
  // Notices and recovery links go through the notification queue (on the same database) to `mailer`.
  const notify = buildNotify({ config: buildConfig(testEnv('/tmp/pds-recovery-unused', 2583)), log, db, mailer })
  notify.start()
  const factors = new FactorService(
    {
      db,
      notify,
      log,
      hostname: 'pds.example',
      publicUrl: 'https://pds.example',
      recoveryDelayMs,
      hasPassword: () => true,
      getAccount: (did) => (did === DID ? { handle: 'rec.example', email: 'rec@example.com', emailConfirmedAt: null } : null),
    },
    () => now,
  )
  const tokenIn = (text: string, what: 'finish' | 'cancel') => new RegExp(`https://pds\\.example/account/recover/${what}\\?token=([A-Za-z0-9_-]+)`).exec(text)![1]!
  return { factors, db, mails, tokenIn, advance: (ms: number) => (now += ms), now: () => now }
}

async function withFactors(s: ReturnType<typeof setup>) {
  const { secret } = s.factors.beginTotpSetup(DID)
  const { backupCodes } = await s.factors.finishTotpSetup(DID, totpAt(secret, s.now()))
  insertPasskey(s.db, { id: 'pk-1', did: DID, name: 'Phone', publicKey: new Uint8Array([1]), counter: 0, transports: null, createdAt: new Date(s.now()).toISOString() })
  s.factors.trustedBrowsers.remember(DID, { ip: null, userAgent: 'test' })
  s.mails.length = 0
  return { secret, backupCodes }
}

test('nothing before the delay (7 days by default); after it every factor goes; the links are single-use', async () => {
  const s = setup()
  await withFactors(s)
  await s.factors.requestRecovery(DID)
  expect(s.mails).toHaveLength(1)
  const mail = s.mails[0]!
  expect(mail.to).toBe('rec@example.com')
  expect(mail.subject).toBe('Two-factor recovery requested')
  expect(mail.text).toContain(`after ${new Date(s.now() + 7 * DAY).toISOString().slice(0, 16).replace('T', ' ')} UTC`)
  const token = s.tokenIn(mail.text, 'finish')
  expect(s.tokenIn(mail.text, 'cancel')).toBe(token)
  expect(s.factors.recovery.pending(DID)).toMatchObject({ due: false, dueAt: s.now() + 7 * DAY })

  // Asking again within minutes mails nobody; later, a new link keeps the first date.
  s.advance(5 * 60_000)
  await s.factors.requestRecovery(DID)
  expect(s.mails).toHaveLength(1)
  expect(s.factors.recovery.byToken(token)).not.toBeNull()
  s.advance(3 * DAY - 5 * 60_000)
  await s.factors.requestRecovery(DID)
  const renewed = s.tokenIn(s.mails[1]!.text, 'finish')
  expect(renewed).not.toBe(token)
  expect(s.factors.recovery.byToken(token)).toBeNull()
  expect(s.factors.recovery.pending(DID)!.dueAt - s.now()).toBe(4 * DAY)

  s.advance(4 * DAY - 60_000)
  await expect(s.factors.finishRecovery(renewed)).rejects.toThrow('This recovery can be finished after')
  expect(s.factors.status(DID)).toMatchObject({ totp: true, passkeys: 1 })

  s.advance(60_000)
  expect(await s.factors.finishRecovery(renewed)).toBe(DID)
  expect(s.factors.status(DID)).toEqual({ emailAuthFactor: false, totp: false, totpPending: false, backupCodesRemaining: 0, passkeys: 0 })
  expect(s.factors.trustedBrowsers.list(DID)).toEqual([])
  expect(s.factors.recovery.pending(DID)).toBeNull()
  expect(s.mails.at(-1)!.text).toContain('Every second factor was removed')
  await expect(s.factors.finishRecovery(renewed)).rejects.toThrow('not valid')
  expect(s.factors.auditTrail(DID).map((a) => a.action).slice(-2)).toEqual(['recovery-requested', 'reset-by-recovery'])
})

test('signing in with a factor cancels it (and says so); the cancel link does too', async () => {
  const s = setup()
  const { secret, backupCodes } = await withFactors(s)
  await s.factors.requestRecovery(DID)
  const token = s.tokenIn(s.mails[0]!.text, 'finish')
  // A wrong code cancels nothing.
  await expect(s.factors.checkSignIn(DID, '000000')).rejects.toThrow()
  expect(s.factors.recovery.pending(DID)).not.toBeNull()
  s.advance(30_000)
  await s.factors.checkSignIn(DID, totpAt(secret, s.now()))
  expect(s.factors.recovery.pending(DID)).toBeNull()
  expect(s.factors.recovery.byToken(token)).toBeNull()
  expect(s.mails.at(-1)!.text).toContain('You signed in with a second factor, which cancels it.')
  s.advance(8 * DAY)
  await expect(s.factors.finishRecovery(token)).rejects.toThrow('not valid')
  expect(s.factors.status(DID).totp).toBe(true)

  await s.factors.requestRecovery(DID)
  await s.factors.checkSignIn(DID, backupCodes[0]!)
  expect(s.factors.recovery.pending(DID)).toBeNull()

  await s.factors.requestRecovery(DID)
  await s.factors.cancelRecovery(DID, 'self')
  expect(s.factors.recovery.pending(DID)).toBeNull()
  expect(s.factors.auditTrail(DID).filter((a) => a.action === 'recovery-cancelled')).toHaveLength(3)
})

test('the delay is configurable; an account without factors or unknown gets nothing', async () => {
  const s = setup(HOUR)
  await s.factors.requestRecovery(DID)
  expect(s.mails).toEqual([])
  expect(s.factors.recovery.pending(DID)).toBeNull()

  await withFactors(s)
  await s.factors.requestRecovery(DID)
  expect(s.factors.recovery.pending(DID)!.dueAt).toBe(s.now() + HOUR)
  s.advance(HOUR)
  await s.factors.finishRecovery(s.tokenIn(s.mails[0]!.text, 'finish'))
  expect(s.factors.status(DID).passkeys).toBe(0)
  await expect(s.factors.requestRecovery('did:plc:nobody')).rejects.toThrow('account not found')
})
