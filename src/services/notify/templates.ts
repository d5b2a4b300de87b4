// Every message text in one place. Short, plain, and naming the server that sent it. The operator can
// replace any subject or text with PDS_NOTIFY_TEMPLATES, a JSON file such as
//   { "reset_password": { "subject": "…", "text": "Code for @{handle}: {code}" } }
// Placeholders: {code}, {handle}, {server}, {channel}, {text} (a free-form message's own text), and
// for security alerts {change} (what changed), {time}, {ip}, {device} and {via} (how someone signed in).
import { readFileSync } from 'node:fs'
import { z } from 'zod'

export const KINDS = ['confirm_email', 'update_email', 'reset_password', 'delete_account', 'plc_operation', 'verify_channel', 'test', 'message', 'operator_message', 'sign_in_code', 'factor_change', 'new_sign_in'] as const
export type NotificationKind = (typeof KINDS)[number]

/** Kinds that go to the account's email address by protocol (com.atproto.server.*Email*). */
export const EMAIL_BOUND: ReadonlySet<string> = new Set(['confirm_email', 'update_email'])

export type Template = { subject: string; text: string }

const EXPIRY = 'It expires in 15 minutes.'

export const DEFAULT_TEMPLATES: Record<NotificationKind, Template> = {
  confirm_email: { subject: 'Confirm your email', text: `Your email confirmation code is: {code}\n\n${EXPIRY}` },
  update_email: { subject: 'Email update requested', text: `Your code to change the email of your account is: {code}\n\n${EXPIRY}` },
  reset_password: {
    subject: 'Password reset requested',
    text: `A password reset was requested for @{handle}.\n\nYour reset code is: {code}\n\n${EXPIRY} If you did not ask for it, ignore this message.`,
  },
  delete_account: { subject: 'Account deletion request', text: `Your account deletion code is: {code}\n\n${EXPIRY}` },
  plc_operation: { subject: 'PLC update requested', text: `Your code to sign a change of your DID (PLC operation) is: {code}\n\n${EXPIRY}` },
  verify_channel: { subject: 'Confirm this channel', text: `Your code to receive notifications from your PDS over {channel} is: {code}\n\n${EXPIRY}` },
  test: { subject: 'Test notification', text: 'This is a test message: the {channel} channel of your PDS works.' },
  message: { subject: '{subject}', text: '{text}' },
  operator_message: { subject: '{subject}', text: 'A message from the moderators of your PDS:\n\n{text}' },
  sign_in_code: {
    subject: 'Sign in code',
    text: `Someone is signing in to @{handle} with your password.\n\nYour sign in code is: {code}\n\n${EXPIRY} If this was not you, change your password now.`,
  },
  factor_change: {
    subject: 'Security settings changed',
    text: "{change}\n\nAccount: @{handle}\n\nIf this was not you, change your password and contact the server's operator.",
  },
  new_sign_in: {
    subject: 'New sign-in to your account',
    text: 'Someone signed in to @{handle} ({via}) from a device or network not seen before.\n\nTime: {time}\nIP address: {ip}\nDevice: {device}\n\nIf this was you, there is nothing to do. If not, change your password now and check your second factors.',
  },
}

export type TemplateVars = {
  code?: string
  handle?: string
  channel?: string
  subject?: string
  text?: string
  change?: string
  time?: string
  ip?: string
  device?: string
  via?: string
}

const overrideSchema = z.partialRecord(z.enum(KINDS), z.object({ subject: z.string().min(1).optional(), text: z.string().min(1).optional() }).strict())

/** Reads the operator's overrides; throws with the file's problem (checked at startup, not at first use). */
export function loadTemplateOverrides(path: string | undefined): Partial<Record<NotificationKind, Partial<Template>>> {
  if (!path) return {}
  const parsed = overrideSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

export class Templates {
  constructor(
    /** The server's name in every message: PDS_SERVICE_NAME or the hostname. */
    private readonly server: string,
    private readonly overrides: Partial<Record<NotificationKind, Partial<Template>>> = {},
  ) {}

  render(kind: NotificationKind, vars: TemplateVars): Template {
    const t = { ...DEFAULT_TEMPLATES[kind], ...this.overrides[kind] }
    const fill = (s: string) => s.replace(/\{(code|handle|server|channel|subject|text|change|time|ip|device|via)\}/g, (_, k: string) => (k === 'server' ? this.server : (vars[k as keyof TemplateVars] ?? '')))
    return { subject: fill(t.subject), text: `${fill(t.text)}\n\n— ${this.server}` }
  }
}
