// Outgoing mail, the email channel's transport (src/services/notify/channels/email.ts). SMTP through
// nodemailer when PDS_EMAIL_SMTP_URL is set; otherwise messages go to the log so that a solo operator
// can still complete email-token flows. Messages reach it through the notification queue.
import type { Transporter } from 'nodemailer'
import type { Logger } from '../../logger.ts'

export type MailMessage = { to: string; subject: string; text: string; messageId?: string }

export interface Mailer {
  send(msg: MailMessage): Promise<void>
  close?(): void
}

/** nodemailer is loaded at the first message (it costs ~10 MB of RSS in a server that may never mail). */
export function createSmtpTransport(smtpUrl: string): Promise<Transporter> {
  return import('nodemailer').then((nodemailer) => nodemailer.default.createTransport(smtpUrl))
}

export class SmtpMailer implements Mailer {
  private transport?: Promise<Transporter>

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {}

  async send(msg: MailMessage) {
    this.transport ??= createSmtpTransport(this.smtpUrl)
    await (await this.transport).sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, messageId: msg.messageId })
  }

  close() {
    void this.transport?.then((transport) => transport.close()).catch(() => {})
  }
}

export class LogMailer implements Mailer {
  constructor(private readonly log: Logger) {}

  async send(msg: MailMessage) {
    this.log.info('email (no SMTP configured; PDS_EMAIL_SMTP_URL is unset)', { to: msg.to, subject: msg.subject, text: msg.text })
  }
}
