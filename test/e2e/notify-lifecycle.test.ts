// An operator with no SMTP server: the whole account lifecycle over Telegram (and Discord/ntfy for
// verification), on the real server with @atproto/api, a PLC directory and the Telegram Bot API fake.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startPlcDirectory, type TestPlc } from '../helpers/plc.ts'
import { startFakeDiscord, startFakeTelegram, TELEGRAM_TOKEN, type FakeHttp } from '../helpers/fake-notify.ts'
import { NotifyError } from '../../src/services/notify/index.ts'

let server: TestServer
let plc: TestPlc
let telegram: FakeHttp
let discord: ReturnType<typeof startFakeDiscord>

beforeAll(async () => {
  plc = await startPlcDirectory()
  telegram = startFakeTelegram()
  discord = startFakeDiscord()
  server = await startTestServer({
    PDS_DID_PLC_URL: plc.url,
    PDS_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    PDS_TELEGRAM_API_URL: telegram.url,
    PDS_DISCORD_WEBHOOKS_ENABLED: 'true',
  })
})
afterAll(async () => {
  await server.close()
  await plc.close()
  telegram.close()
  discord.close()
})

/** The last code sent to a Telegram chat. */
function codeFor(chatId: string): string {
  const text = telegram.received.findLast((m) => m.chat_id === chatId)?.text as string | undefined
  const code = text?.match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)?.[0]
  if (!code) throw new Error(`no code sent to Telegram chat ${chatId}`)
  return code
}

async function signUp(name: string) {
  const agent = new AtpAgent({ service: server.url })
  const res = await agent.createAccount({ email: `${name}@example.com`, handle: `${name}.test`, password: `${name}-password` })
  return { agent, did: res.data.did, handle: `${name}.test`, email: `${name}@example.com`, password: `${name}-password` }
}

describe('no SMTP: the account lifecycle over Telegram', () => {
  test('a channel is verified with a code sent over it, then carries confirmation, reset, PLC and deletion codes', async () => {
    const notify = server.services.notify
    expect(notify.available()).toEqual(['discord', 'telegram'])
    const { agent, did, email, password } = await signUp('tina')

    // Adding Telegram: the code goes to that chat; a wrong code is refused; the right one verifies it.
    await expect(notify.addChannel(did, 'telegram', 'not a chat')).rejects.toThrow(NotifyError)
    await notify.addChannel(did, 'telegram', '777001')
    expect(notify.listChannels(did)).toEqual([{ channel: 'telegram', address: '777001', verified: false, preferred: false }])
    expect(() => notify.verifyChannel(did, 'telegram', 'AAAAA-BBBBB')).toThrow('not valid')
    notify.verifyChannel(did, 'telegram', codeFor('777001').toLowerCase())
    expect(notify.listChannels(did)).toEqual([{ channel: 'telegram', address: '777001', verified: true, preferred: true }])

    // Sign-up confirmation: email-bound by protocol, but this server cannot send email.
    await agent.com.atproto.server.requestEmailConfirmation()
    expect(telegram.received.at(-1)!.text).toContain('Confirm your email')
    await agent.com.atproto.server.confirmEmail({ email, token: codeFor('777001') })
    expect((await agent.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)

    // Password reset, asked for by address, delivered to Telegram.
    const anon = new AtpAgent({ service: server.url })
    await anon.com.atproto.server.requestPasswordReset({ email })
    expect(telegram.received.at(-1)!.text).toContain('@tina.test')
    await anon.com.atproto.server.resetPassword({ token: codeFor('777001'), password: 'tina-new-password' })
    await agent.login({ identifier: did, password: 'tina-new-password' })

    // PLC operation signed with the code from Telegram.
    await agent.com.atproto.identity.requestPlcOperationSignature()
    expect(telegram.received.at(-1)!.text).toContain('PLC')
    const signed = await agent.com.atproto.identity.signPlcOperation({ token: codeFor('777001') })
    expect(signed.data.operation).toBeTruthy()

    // Account deletion.
    await agent.com.atproto.server.requestAccountDelete()
    await anon.com.atproto.server.deleteAccount({ did, password: 'tina-new-password', token: codeFor('777001') })
    expect(server.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })).toBeNull()
    expect(notify.listChannels(did)).toEqual([])

    // The person's history: time, channel, kind, delivered.
    const kinds = notify.history(did).map((h) => `${h.kind}:${h.channel}:${h.state}`)
    expect(kinds).toEqual(['delete_account', 'plc_operation', 'reset_password', 'confirm_email', 'verify_channel'].map((k) => `${k}:telegram:sent`))
    expect(password).toBe('tina-password')
  })

  test('without a verified channel, messages fall back to email (the log here); preference can move and be cleared', async () => {
    const notify = server.services.notify
    const { did } = await signUp('walt')
    await notify.addChannel(did, 'discord', discord.webhook)
    expect(discord.received.at(-1)!.content).toContain('Confirm this channel')
    expect(() => notify.setPreferred(did, 'telegram')).toThrow('verified')
    await server.services.accounts.requestPasswordReset('walt@example.com')
    expect(notify.history(did)[0]).toMatchObject({ kind: 'reset_password', channel: 'email', state: 'sent' })

    const code = (discord.received.at(-1)!.content as string).match(/[A-Z2-7]{5}-[A-Z2-7]{5}/)![0]
    notify.verifyChannel(did, 'discord', code)
    await server.services.accounts.requestPasswordReset('walt@example.com')
    expect(notify.history(did)[0]).toMatchObject({ kind: 'reset_password', channel: 'discord', state: 'sent' })
    // A moderator's message (admin.sendEmail) follows the preferred channel too, as plain text.
    const sent = await fetch(`${server.url}/xrpc/com.atproto.admin.sendEmail`, {
      method: 'POST',
      headers: { authorization: server.adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ recipientDid: did, content: '<p>Your post was <b>removed</b>.</p>', subject: 'About your post', senderDid: 'did:example:mod' }),
    })
    expect(await sent.json()).toEqual({ sent: true })
    expect(discord.received.at(-1)!.content).toBe('**About your post**\nA message from the moderators of your PDS:\n\nYour post was removed.\n\n— localhost')
    notify.setPreferred(did, null)
    await server.services.accounts.requestPasswordReset('walt@example.com')
    expect(notify.history(did)[0]).toMatchObject({ kind: 'reset_password', channel: 'email' })
  })
})
