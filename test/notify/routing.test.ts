// Routing with SMTP configured: email-bound kinds stay on email even when another channel is preferred;
// operator template overrides apply.
import { expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeTelegram, TELEGRAM_TOKEN } from '../helpers/fake-notify.ts'
import { memoryMailer, notifyHarness } from './harness.ts'
import * as store from '../../src/storage/account/notifications.ts'

test('with SMTP, email confirmation goes to email; a password reset follows the preferred channel', async () => {
  const telegram = startFakeTelegram()
  const mailer = memoryMailer()
  const h = notifyHarness({ PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, PDS_TELEGRAM_API_URL: telegram.url }, { mailer })
  const did = 'did:plc:routing'
  await h.notify.addChannel(did, 'telegram', '31337')
  h.notify.verifyChannel(did, 'telegram', telegram.lastCode()!)
  expect(h.notify.forAccount(did, 'confirm_email', { code: 'AAAAA-BBBBB' }, 'r@example.com')).toMatchObject({ channel: 'email', address: 'r@example.com' })
  expect(h.notify.forAccount(did, 'update_email', { code: 'AAAAA-BBBBB' }, 'r@example.com')).toMatchObject({ channel: 'email' })
  expect(h.notify.forAccount(did, 'reset_password', { code: 'AAAAA-BBBBB' }, 'r@example.com')).toMatchObject({ channel: 'telegram', address: '31337' })
  // A verified channel whose configuration the operator removed falls back to email.
  store.putPendingChannel(h.db, did, 'ntfy', 'topic', 'AAAAA-BBBBB')
  store.markChannelVerified(h.db, did, 'ntfy')
  h.notify.setPreferred(did, 'ntfy')
  expect(h.notify.forAccount(did, 'plc_operation', { code: 'AAAAA-BBBBB' }, 'r@example.com')).toMatchObject({ channel: 'email' })
  h.close()
  telegram.close()
})

test('PDS_NOTIFY_TEMPLATES replaces a text; every message names the server', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pds-templates-')), 'templates.json')
  writeFileSync(file, JSON.stringify({ reset_password: { text: 'Reset for @{handle}: {code}' } }))
  const h = notifyHarness({ PDS_NOTIFY_TEMPLATES: file, PDS_SERVICE_NAME: 'Example PDS' })
  const n = h.notify.forAccount('did:plc:x', 'reset_password', { code: 'AAAAA-BBBBB', handle: 'al.test' }, 'a@example.com')
  expect(n).toMatchObject({ subject: 'Password reset requested', body: 'Reset for @al.test: AAAAA-BBBBB\n\n— Example PDS' })
  h.close()
  writeFileSync(file, JSON.stringify({ no_such_kind: { text: 'x' } }))
  expect(() => notifyHarness({ PDS_NOTIFY_TEMPLATES: file })).toThrow()
})
