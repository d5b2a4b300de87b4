// Email: today's mail path (src/services/mail/mailer.ts, nodemailer loaded at the first message), or
// the log when no SMTP server is configured. Values that reach mail headers never carry CR or LF.
import { z } from 'zod'
import type { Mailer } from '../../mail/mailer.ts'
import { AddressError, ChannelError, type Channel, type OutgoingMessage } from '../channel.ts'

const emailSchema = z.email()

/** Subjects lose line breaks (a header value with CRLF would start a new header). */
export function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim()
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
    let to: string
    try {
      to = this.normalizeAddress(msg.address)
    } catch (err) {
      throw new ChannelError((err as Error).message, { permanent: true })
    }
    // A stable Message-ID: a resend after a crash mid-delivery can be recognised as the same message.
    await this.mailer.send({ to, subject: headerSafe(msg.subject), text: msg.text, messageId: `<notification-${msg.id}@${this.hostname}>` })
  }

  close() {
    this.mailer.close?.()
  }
}
