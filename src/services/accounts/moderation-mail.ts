// Mail from moderators (com.atproto.admin.sendEmail): its own SMTP account and sender address
// (PDS_MODERATION_EMAIL_SMTP_URL / _ADDRESS), HTML content with a plain-text part, as the reference's
// ModerationMailer. Without that config the message is only logged (the reference's JSON transport).
import type { Transporter } from 'nodemailer'
import type { AccountsContext } from './context.ts'
import { createSmtpTransport } from '../mail/mailer.ts'

export type ModerationMail = { to: string; subject: string; html: string }

const transports = new WeakMap<AccountsContext, Promise<Transporter>>()

function transportFor(ctx: AccountsContext, smtpUrl: string): Promise<Transporter> {
  let transport = transports.get(ctx)
  if (!transport) {
    transport = createSmtpTransport(smtpUrl)
    transports.set(ctx, transport)
  }
  return transport
}

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

export async function sendModerationEmail(ctx: AccountsContext, mail: ModerationMail): Promise<void> {
  const config = ctx.config.moderationEmail
  const text = htmlToText(mail.html)
  if (!config) {
    ctx.log.info('moderation email not sent (PDS_MODERATION_EMAIL_SMTP_URL is unset)', { to: mail.to, subject: mail.subject, text })
    return
  }
  await (await transportFor(ctx, config.smtpUrl)).sendMail({ from: config.address, to: mail.to, subject: mail.subject, html: mail.html, text })
}
