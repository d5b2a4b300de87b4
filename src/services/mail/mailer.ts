// Outgoing mail. SMTP through nodemailer when PDS_EMAIL_SMTP_URL is set; otherwise messages go to the
// log so that a solo operator can still complete email-token flows.
import type { Transporter } from 'nodemailer'
import type { Logger } from '../../logger.ts'

export type MailMessage = { to: string; subject: string; text: string }

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
    await (await this.transport).sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text })
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

const templates = {
  confirmEmail: (token: string) => ({ subject: 'Confirm your email', text: `Your email confirmation code is: ${token}\n\nIt expires in 15 minutes.` }),
  updateEmail: (token: string) => ({ subject: 'Email update requested', text: `Your code to change the email of your account is: ${token}\n\nIt expires in 15 minutes.` }),
  resetPassword: (token: string, handle: string) => ({
    subject: 'Password reset requested',
    text: `A password reset was requested for @${handle}.\n\nYour reset code is: ${token}\n\nIt expires in 15 minutes. If you did not ask for it, ignore this email.`,
  }),
  deleteAccount: (token: string) => ({ subject: 'Account deletion request', text: `Your account deletion code is: ${token}\n\nIt expires in 15 minutes.` }),
  plcOperation: (token: string) => ({ subject: 'PLC update requested', text: `Your code to sign a change of your DID (PLC operation) is: ${token}\n\nIt expires in 15 minutes.` }),
}

export type MailTemplate = keyof typeof templates

export function renderMail(template: MailTemplate, token: string, handle = ''): { subject: string; text: string } {
  return templates[template](token, handle)
}
