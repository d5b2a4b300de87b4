/** @jsxImportSource ../ui/jsx */
// /account/notifications: where this server sends a person's codes and alerts. Channels the operator
// configured (Telegram, Discord, ntfy, Signal) are added with an address, verified with a code sent over
// that channel, and one verified channel is preferred (email is the fallback). Below: what was sent.
import { ActionButton, Card, Form, Notice, When, type FieldErrors } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { NotifyError, type ChannelName } from '../../services/notify/index.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

export const NOTIFICATIONS_PATH = `${BASE}/notifications`
const PATH = NOTIFICATIONS_PATH
const ADDRESS_MAX = 512

const LABELS: Record<string, string> = {
  email: 'Email',
  telegram: 'Telegram',
  discord: 'Discord',
  ntfy: 'ntfy',
  signal: 'Signal',
  moderation_email: 'Email',
}

const ADDRESS_HINTS: Partial<Record<ChannelName, string>> = {
  telegram: 'Telegram: start a chat with this server’s bot first, then enter your chat id (a number).',
  discord: 'Discord: a webhook URL of a channel you own (https://discord.com/api/webhooks/…), or your user id (a long number) when this server has a Discord bot.',
  ntfy: 'ntfy: a topic name or a topic URL (https://ntfy.example.com/mytopic).',
  signal: 'Signal: a phone number in international form (+15551234567) or a username (name.42).',
}

const KIND_LABELS: Record<string, string> = {
  confirm_email: 'Email confirmation code',
  update_email: 'Email change code',
  reset_password: 'Password reset code',
  delete_account: 'Account deletion code',
  plc_operation: 'Identity (PLC) change code',
  verify_channel: 'Channel verification code',
  test: 'Test message',
  message: 'Message',
  operator_message: 'Message from the moderators',
  sign_in_code: 'Sign-in code',
  factor_change: 'Security settings changed',
  new_sign_in: 'New sign-in',
}

const NOTICES: Record<string, string> = {
  verified: 'The channel is verified.',
  preferred: 'Your messages now go to the channel you chose.',
  'preferred-email': 'Your messages now go to your email address.',
  removed: 'The channel was removed.',
}

const label = (channel: string) => LABELS[channel] ?? channel

/** Addresses that work as secrets (a webhook URL, an ntfy topic) or are personal (a phone number) show only their ends. */
export function maskAddress(channel: string, address: string): string {
  if (channel === 'discord' && URL.canParse(address)) {
    const url = new URL(address)
    const id = url.pathname.split('/')[3] ?? ''
    return `${url.host}/api/webhooks/${id}/••••`
  }
  if (channel === 'ntfy' && URL.canParse(address)) {
    const url = new URL(address)
    return `${url.host}/${ends(url.pathname.slice(1))}`
  }
  if (channel === 'ntfy' || channel === 'signal') return ends(address)
  return address
}

const ends = (v: string) => (v.length <= 6 ? '••••' : `${v.slice(0, Math.min(4, v.length - 4))}••••${v.slice(-2)}`)

type Values = { channel?: string; address?: string }

function view(s: SignedIn, o: { errors?: FieldErrors; values?: Values; status?: number; sentTo?: string } = {}) {
  const notify = s.app.services.notify
  const available = notify.available()
  const mine = notify.listChannels(s.account.did)
  const history = notify.history(s.account.did, 50)
  const notice = NOTICES[s.url.searchParams.get('done') ?? '']
  const sentTo = o.sentTo ?? (s.url.searchParams.get('done') === 'code-sent' ? s.url.searchParams.get('channel') : null)
  const preferred = mine.find((c) => c.preferred && c.verified && available.includes(c.channel))
  const verified = mine.filter((c) => c.verified && available.includes(c.channel))
  const errors = o.errors ?? {}
  return accountPage(
    s,
    {
      title: 'Notifications',
      current: PATH,
      children: (
        <>
          <h1>Notifications</h1>
          {notice && <Notice kind="ok">{notice}</Notice>}
          {sentTo && <Notice kind="ok">We sent a code over {label(sentTo)}. Enter it below to verify the channel; it works for 15 minutes.</Notice>}
          <Card title="Where your messages go">
            <p>
              Codes (password reset, identity changes, account deletion) and security alerts go to{' '}
              <strong>{preferred ? `${label(preferred.channel)} (${maskAddress(preferred.channel, preferred.address)})` : `your email address${s.account.email ? ` (${s.account.email})` : ''}`}</strong>. Email
              confirmation codes always go to your email address.
            </p>
            {verified.length > 0 && (
              <Form action={`${PATH}/preferred`} csrf={s.csrf} label="Choose where your messages go">
                <div>
                  <label for="f-preferred">Send my messages to</label>
                  <select id="f-preferred" name="preferred">
                    <option value="email" selected={!preferred}>
                      Email (the fallback)
                    </option>
                    {verified.map((c) => (
                      <option value={c.channel} selected={c.preferred}>
                        {label(c.channel)} ({maskAddress(c.channel, c.address)})
                      </option>
                    ))}
                  </select>
                  {errors.preferred && (
                    <p class="field-error" id="f-preferred-error">
                      {errors.preferred}
                    </p>
                  )}
                </div>
                <button type="submit">Save choice</button>
              </Form>
            )}
          </Card>
          <Card title="Your channels">
            {mine.length ? (
              <ul class="items">
                {mine.map((c) => {
                  const codeField = `code_${c.channel}`
                  const codeError = errors[codeField]
                  const offered = available.includes(c.channel)
                  return (
                    <li>
                      <div class="what">
                        <strong>{label(c.channel)}</strong>
                        {c.verified ? <span class="badge ok">Verified</span> : <span class="badge warn">Not verified</span>}
                        {c.preferred && c.verified && <span class="badge">Preferred</span>}
                        {!offered && <span class="badge warn">No longer offered here</span>}
                        <div class="muted small">{maskAddress(c.channel, c.address)}</div>
                        {!c.verified && offered && (
                          <Form action={`${PATH}/verify`} csrf={s.csrf} label={`Verify ${label(c.channel)}`}>
                            <input type="hidden" name="channel" value={c.channel} />
                            <div>
                              <label for={`f-${codeField}`}>Code sent over {label(c.channel)}</label>
                              <input
                                id={`f-${codeField}`}
                                type="text"
                                name="code"
                                autocomplete="one-time-code"
                                spellcheck={false}
                                autocapitalize="none"
                                required
                                autofocus={!!codeError || sentTo === c.channel}
                                aria-invalid={codeError ? 'true' : undefined}
                                aria-describedby={`f-${codeField}-hint${codeError ? ` f-${codeField}-error` : ''}`}
                              />
                              <p class="hint" id={`f-${codeField}-hint`}>
                                The code looks like ABCDE-23456.
                              </p>
                              {codeError && (
                                <p class="field-error" id={`f-${codeField}-error`}>
                                  {codeError}
                                </p>
                              )}
                            </div>
                            <button type="submit">Verify</button>
                          </Form>
                        )}
                      </div>
                      <div class="row">
                        {!c.verified && offered && (
                          <ActionButton action={`${PATH}/resend`} csrf={s.csrf} label="Send a new code" hidden={{ channel: c.channel }} variant="secondary" small ariaLabel={`Send a new code over ${label(c.channel)}`} />
                        )}
                        {c.verified && !c.preferred && offered && (
                          <ActionButton action={`${PATH}/preferred`} csrf={s.csrf} label="Make preferred" hidden={{ preferred: c.channel }} variant="secondary" small ariaLabel={`Send my messages to ${label(c.channel)}`} />
                        )}
                        <ActionButton action={`${PATH}/remove`} csrf={s.csrf} label="Remove" hidden={{ channel: c.channel }} variant="secondary" small ariaLabel={`Remove ${label(c.channel)}`} />
                      </div>
                    </li>
                  )
                })}
              </ul>
            ) : (
              <p class="muted">You have added no channels: everything goes to your email address.</p>
            )}
          </Card>
          <Card title="Add a channel">
            {available.length ? (
              <Form action={`${PATH}/add`} csrf={s.csrf} label="Add a channel">
                <div>
                  <label for="f-channel">Channel</label>
                  <select id="f-channel" name="channel" aria-invalid={errors.channel ? 'true' : undefined} aria-describedby={errors.channel ? 'f-channel-error' : undefined}>
                    {available.map((c) => (
                      <option value={c} selected={o.values?.channel === c}>
                        {label(c)}
                      </option>
                    ))}
                  </select>
                  {errors.channel && (
                    <p class="field-error" id="f-channel-error">
                      {errors.channel}
                    </p>
                  )}
                </div>
                <div>
                  <label for="f-address">Address</label>
                  <input
                    id="f-address"
                    type="text"
                    name="address"
                    value={o.values?.address}
                    required
                    spellcheck={false}
                    autocapitalize="none"
                    autocomplete="off"
                    autofocus={!!errors.address}
                    aria-invalid={errors.address ? 'true' : undefined}
                    aria-describedby={`f-address-hint${errors.address ? ' f-address-error' : ''}`}
                  />
                  <div class="hint" id="f-address-hint">
                    {available.map((c) => ADDRESS_HINTS[c] && <p>{ADDRESS_HINTS[c]}</p>)}
                  </div>
                  {errors.address && (
                    <p class="field-error" id="f-address-error">
                      {errors.address}
                    </p>
                  )}
                </div>
                <button type="submit">Send a code</button>
              </Form>
            ) : (
              <p class="muted">This server sends messages by email only.</p>
            )}
          </Card>
          <Card title="Sent to you">
            {history.length ? (
              <ul class="items">
                {history.map((h) => (
                  <li>
                    <div class="what">
                      <strong>{KIND_LABELS[h.kind] ?? h.kind}</strong>{' '}
                      {h.state === 'sent' ? <span class="badge ok">Delivered</span> : h.state === 'failed' ? <span class="badge warn">Failed</span> : <span class="badge">Sending</span>}
                      <div class="muted small">
                        <When at={h.createdAt} /> · {label(h.channel)}
                      </div>
                    </div>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">Nothing was sent to you yet.</p>
            )}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export const showNotifications = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/notifications/add: stores the address unverified and sends it a code. */
export async function addChannel(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const channel = field(r.form, 'channel')
  const address = field(r.form, 'address')
  const values = { channel, address }
  if (!s.app.services.notify.available().includes(channel as ChannelName)) return view(s, { errors: { channel: 'Choose one of the channels in the list.' }, values, status: 400 })
  if (!address) return view(s, { errors: { address: `Enter your ${label(channel)} address.` }, values, status: 400 })
  if (address.length > ADDRESS_MAX) return view(s, { errors: { address: `Use at most ${ADDRESS_MAX} characters.` }, values, status: 400 })
  try {
    await s.app.services.notify.addChannel(s.account.did, channel, address)
  } catch (err) {
    if (!(err instanceof NotifyError)) throw err
    const message = err.code === 'InvalidAddress' ? `That address does not work: ${err.message}.` : err.message
    return view(s, { errors: { [err.code === 'InvalidAddress' ? 'address' : 'channel']: message }, values, status: 400 })
  }
  return seeOther(`${PATH}?done=code-sent&channel=${encodeURIComponent(channel)}`)
}

/** POST /account/notifications/verify */
export function verifyChannel(r: WebRequest): Response {
  const s = asSignedIn(r)
  const channel = field(r.form, 'channel')
  const code = field(r.form, 'code')
  const key = `code_${channel}`
  if (!code) return view(s, { errors: { [key]: 'Enter the code we sent over this channel.' }, status: 400 })
  try {
    s.app.services.notify.verifyChannel(s.account.did, channel, code)
  } catch (err) {
    if (!(err instanceof NotifyError)) throw err
    const message =
      err.code === 'ExpiredCode' ? 'This code has expired. Use “Send a new code” for another one.' : err.code === 'InvalidCode' && err.message.includes('not valid') ? 'This code is not right. Check it and try again.' : `${err.message}.`
    return view(s, { errors: { [key]: message }, status: 400 })
  }
  return seeOther(`${PATH}?done=verified`)
}

/** POST /account/notifications/resend: a fresh code to a channel added and not verified yet (rate limited). */
export async function resendCode(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const channel = field(r.form, 'channel')
  try {
    await s.app.services.notify.resendVerification(s.account.did, channel)
  } catch (err) {
    if (!(err instanceof NotifyError)) throw err
    const message = err.code === 'TooSoon' ? 'We sent a code less than 30 seconds ago. Give it a moment to arrive, then ask again.' : 'This channel has no verification waiting.'
    return view(s, { errors: { [`code_${channel}`]: message }, status: err.code === 'TooSoon' ? 429 : 400 })
  }
  return seeOther(`${PATH}?done=code-sent&channel=${encodeURIComponent(channel)}`)
}

/** POST /account/notifications/preferred: a verified channel, or "email" for no preference. */
export function setPreferred(r: WebRequest): Response {
  const s = asSignedIn(r)
  const choice = field(r.form, 'preferred')
  if (choice === 'email') {
    s.app.services.notify.setPreferred(s.account.did, null)
    return seeOther(`${PATH}?done=preferred-email`)
  }
  const usable = s.app.services.notify.available().includes(choice as ChannelName) && s.app.services.notify.listChannels(s.account.did).some((c) => c.channel === choice && c.verified)
  if (!usable) return view(s, { errors: { preferred: 'Only a verified channel can receive your messages.' }, status: 400 })
  s.app.services.notify.setPreferred(s.account.did, choice)
  return seeOther(`${PATH}?done=preferred`)
}

/** POST /account/notifications/remove: messages fall back to email if it was the preferred one. */
export function removeChannel(r: WebRequest): Response {
  const s = asSignedIn(r)
  s.app.services.notify.removeChannel(s.account.did, field(r.form, 'channel'))
  return seeOther(`${PATH}?done=removed`)
}
