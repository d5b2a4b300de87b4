// Email: today's mail path (src/services/mail/mailer.ts, nodemailer loaded at the first message), or
// the log when no SMTP server is configured. Values that reach mail headers never carry CR or LF.
import { z } from 'zod'
import type { Mailer } from '../../mail/mailer.ts'
import { AddressError, recipientError, type Channel, type OutgoingMessage } from '../channel.ts'

const emailSchema = z.email()

/** Subjects lose line breaks (a header value with CRLF would start a new header). */
export function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim()
}

/**
 * Runs an SMTP send; the server refusing the recipient for good (nodemailer's EENVELOPE with a 5xx
 * reply to RCPT TO: no such mailbox) is a recipient error. Connection, authentication and 4xx
 * (try later) failures stay the channel's.
 */
export async function smtpSend(send: () => Promise<unknown>): Promise<void> {
  try {
    await send()
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string }
    if (e?.code === 'EENVELOPE' && (e.responseCode ?? 0) >= 500) throw recipientError(`SMTP refused the recipient: ${String(e.message).slice(0, 200)}`)
    throw err
  }
}

export class EmailChannel implements Channel {
  readonly name = 'email'

  constructor(
    private readonly mailer: Mailer,
    private readonly hostname: string,
    /** False when the mailer only logs: protocol-bound messages then use a person's preferred channel. */
    readonly delivers: boolean,
  ) {}

  normalizeAddress(address: string): string {
    // Refused, not cleaned: "a@b.com\r\nBcc: x@y.z" is an attack, not a typo.
    if (/[\r\n,;<>]/.test(address)) throw new AddressError('an email address cannot contain line breaks, commas or angle brackets')
    const trimmed = address.trim().toLowerCase()
    if (!emailSchema.safeParse(trimmed).success) throw new AddressError('not an email address')
    return trimmed
  }

  async send(msg: OutgoingMessage): Promise<void> {
    // A stored address that is no longer valid throws AddressError: the queue fails it as the recipient's.
    const to = this.normalizeAddress(msg.address)
    // A stable Message-ID: a resend after a crash mid-delivery can be recognised as the same message.
    await smtpSend(() => this.mailer.send({ to, subject: headerSafe(msg.subject), text: msg.text, messageId: `<notification-${msg.id}@${this.hostname}>` }))
  }

  close() {
    this.mailer.close?.()
  }
}
