// Moderators' messages (com.atproto.admin.sendEmail) when they go by email: their own SMTP account and
// sender address (PDS_MODERATION_EMAIL_SMTP_URL / _ADDRESS), HTML content with a plain-text part, as the
// reference's ModerationMailer. Without that config the message is only logged (the reference's JSON
// transport). Not a channel a person can choose: the queue uses it for the operator's messages.
import type { Transporter } from 'nodemailer'
import type { Logger } from '../../../logger.ts'
import { createSmtpTransport } from '../../mail/mailer.ts'
import type { Channel, OutgoingMessage } from '../channel.ts'
import { EmailChannel, headerSafe, smtpSend } from './email.ts'

/** A readable text part for clients that do not render HTML (the reference uses html-to-text). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

export type ModerationEmailConfig = { smtpUrl: string; address: string }

export class ModerationEmailChannel implements Channel {
  readonly name = 'moderation_email'
  private transport?: Promise<Transporter>
  private readonly addresses = new EmailChannel({ send: async () => {} }, '', false)

  constructor(
    private readonly config: ModerationEmailConfig | undefined,
    private readonly hostname: string,
    private readonly log: Logger,
  ) {}

  normalizeAddress(address: string): string {
    return this.addresses.normalizeAddress(address)
  }

  /** `text` holds the moderator's HTML. */
  async send(msg: OutgoingMessage): Promise<void> {
    const to = this.normalizeAddress(msg.address)
    const subject = headerSafe(msg.subject)
    const text = htmlToText(msg.text)
    if (!this.config) {
      this.log.info('moderation email not sent (PDS_MODERATION_EMAIL_SMTP_URL is unset)', { to, subject, text })
      return
    }
    this.transport ??= createSmtpTransport(this.config.smtpUrl)
    const transport = await this.transport
    await smtpSend(() => transport.sendMail({ from: this.config!.address, to, subject, html: msg.text, text, messageId: `<notification-${msg.id}@${this.hostname}>` }))
  }

  close() {
    void this.transport?.then((transport) => transport.close()).catch(() => {})
  }
}
