// services.notify: the notification queue and its worker, the channels, routing to a person's
// preferred verified channel, and channel verification. No HTTP here: the account web app and the
// account flows call these methods.
import type { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { openDatabase } from '../../storage/sqlite.ts'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import type { Mailer, MailMessage } from '../mail/mailer.ts'
import * as store from '../../storage/account/notifications.ts'
import type { NewNotification } from '../../storage/account/notifications.ts'
import { AddressError, CHANNEL_NAMES, ChannelError, type Channel, type ChannelName } from './channel.ts'
import { buildChannels } from './channels/index.ts'
import { EmailChannel } from './channels/email.ts'
import { htmlToText } from './channels/moderation-email.ts'
import { NotificationQueue } from './queue.ts'
import { EMAIL_BOUND, loadTemplateOverrides, Templates, type NotificationKind, type TemplateVars } from './templates.ts'
import { genCode, CODE_TTL_MS } from './code.ts'

export { AddressError, ChannelError, type ChannelName, type NotificationKind }

/** How long a request waits for the first delivery attempt before answering (the worker retries later). */
const INLINE_WAIT_MS = 5_000
/** A new verification code for the same channel at most this often (a code may take a while to arrive). */
export const RESEND_AFTER_MS = 30_000

export class NotifyError extends Error {
  name = 'NotifyError'
  constructor(
    message: string,
    readonly code: 'UnknownChannel' | 'InvalidAddress' | 'InvalidCode' | 'ExpiredCode' | 'NotVerified' | 'TooSoon',
  ) {
    super(message)
  }
}

export type ChannelView = { channel: ChannelName; address: string; verified: boolean; preferred: boolean }

export type NotifyStatus = {
  channels: ChannelName[]
  emailDelivers: boolean
  queue: store.QueueCounts
  breakers: store.BreakerRow[]
  recentFailures: store.FailureRow[]
}

export class NotifyService {
  readonly queue: NotificationQueue
  readonly templates: Templates

  constructor(
    private readonly db: Database,
    readonly channels: Map<ChannelName, Channel>,
    config: Config,
    log: Logger,
  ) {
    this.templates = new Templates(config.service.serviceName ?? config.service.hostname, loadTemplateOverrides(config.notify.templatesFile))
    this.queue = new NotificationQueue(db, channels, config.notify, log)
  }

  private get email(): EmailChannel {
    return this.channels.get('email') as EmailChannel
  }

  /**
   * The row for a message to an account: protocol-bound kinds go to its email address (or, when this
   * server cannot send email, to the preferred channel); the rest go to the preferred verified channel,
   * email being the fallback — also while that channel's breaker is open, if email delivers (else the
   * message waits for the channel). `emailTo` overrides the account's address for the email route.
   */
  forAccount(did: string, kind: NotificationKind, vars: TemplateVars, emailTo: string | null): NewNotification {
    const preferred = store.preferredChannel(this.db, did)
    let usable = preferred && this.channels.has(preferred.channel as ChannelName) ? preferred : null
    if (usable && emailTo && this.email.delivers && this.queue.breakers.paused(usable.channel)) usable = null
    const useEmail = emailTo && (!usable || (EMAIL_BOUND.has(kind) && this.email.delivers))
    const route = useEmail || !usable ? { channel: 'email', address: emailTo ?? '' } : { channel: usable.channel, address: usable.address }
    if (!route.address) throw new NotifyError('the account has neither an email address nor a verified channel', 'NotVerified')
    return { did, kind, ...route, ...this.body(kind, { ...vars, channel: route.channel }) }
  }

  /** Routes (forAccount), queues and delivers a message that carries no token; returns the channel used. */
  async toAccount(did: string, kind: NotificationKind, vars: TemplateVars, emailTo: string | null): Promise<string> {
    const n = this.forAccount(did, kind, vars, emailTo)
    await this.dispatch(this.enqueue(n))
    return n.channel
  }

  private body(kind: NotificationKind, vars: TemplateVars): { subject: string; body: string } {
    const { subject, text } = this.templates.render(kind, vars)
    return { subject, body: text }
  }

  /**
   * A moderator's message (com.atproto.admin.sendEmail): to the person's preferred verified channel as
   * text, else to their email address through the moderation mailer as HTML. Queued, then delivered.
   */
  async operatorMessage(did: string, email: string | null, subject: string, html: string): Promise<void> {
    const preferred = store.preferredChannel(this.db, did)
    const route = preferred && this.channels.has(preferred.channel as ChannelName) ? preferred : null
    let n: NewNotification
    if (route) n = { did, kind: 'operator_message', channel: route.channel, address: route.address, ...this.body('operator_message', { subject, text: htmlToText(html) }) }
    else if (email) n = { did, kind: 'operator_message', channel: 'moderation_email', address: email, subject, body: html }
    else throw new NotifyError('the account has neither an email address nor a verified channel', 'NotVerified')
    await this.dispatch(this.enqueue(n))
  }

  /** Inserts a row (use inside the transaction that creates its token); call `dispatch` after commit. */
  enqueue(n: NewNotification): number {
    return store.insertNotification(this.db, n)
  }

  /** After commit: wakes the worker and waits (a bounded time) for the first attempt. */
  async dispatch(id: number): Promise<void> {
    this.queue.kick()
    await this.queue.deliverSoon(id, INLINE_WAIT_MS)
  }

  /** The Mailer shape other code sends through (to, subject, text): an email queued, then delivered. */
  mailer(): Mailer {
    return {
      send: async (msg: MailMessage) => {
        const id = this.enqueue({ did: null, kind: 'message', channel: 'email', address: msg.to, ...this.body('message', { subject: msg.subject, text: msg.text }) })
        await this.dispatch(id)
      },
    }
  }

  // A person's channels
  // -------------------

  channel(name: string): Channel {
    const channel = (CHANNEL_NAMES as readonly string[]).includes(name) ? this.channels.get(name as ChannelName) : undefined
    if (!channel) throw new NotifyError(`channel ${name} is not available on this server`, 'UnknownChannel')
    return channel
  }

  /** The channels a person can add here (email is the account's own address, not added). */
  available(): ChannelName[] {
    return [...this.channels.keys()].filter((c) => c !== 'email' && c !== 'moderation_email')
  }

  /** Stores the address unverified and sends it a code over that channel. */
  async addChannel(did: string, name: string, address: string): Promise<void> {
    const channel = this.channel(name)
    if (channel.name === 'email') throw new NotifyError('email is the account address; change it with updateEmail', 'UnknownChannel')
    await this.sendVerification(did, channel.name, addressFor(channel, address))
  }

  /** A fresh code for a channel added and not verified yet (the old code stops working). */
  async resendVerification(did: string, name: string, now = Date.now()): Promise<void> {
    const row = store.getChannel(this.db, did, name)
    if (!row || row.verifiedAt || !this.channels.has(row.channel as ChannelName)) throw new NotifyError('no verification is pending for this channel', 'NotVerified')
    if (row.codeRequestedAt && now - Date.parse(row.codeRequestedAt) < RESEND_AFTER_MS) {
      throw new NotifyError('a code was sent less than 30 seconds ago; give it a moment to arrive', 'TooSoon')
    }
    await this.sendVerification(did, row.channel as ChannelName, row.address)
  }

  private async sendVerification(did: string, channel: ChannelName, address: string) {
    const code = genCode()
    const id = this.db.transaction(() => {
      store.putPendingChannel(this.db, did, channel, address, code)
      const message = this.body('verify_channel', { code, channel })
      return this.enqueue({ did, kind: 'verify_channel', channel, address, ...message })
    })()
    await this.dispatch(id)
  }

  /** Checks the code sent by addChannel; the first verified channel becomes the preferred one. */
  verifyChannel(did: string, name: string, code: string): void {
    const row = store.getChannel(this.db, did, name)
    if (!row?.code || !row.codeRequestedAt) throw new NotifyError('no verification is pending for this channel', 'InvalidCode')
    if (row.code !== code.trim().toUpperCase()) throw new NotifyError('the code is not valid', 'InvalidCode')
    if (Date.now() - Date.parse(row.codeRequestedAt) > CODE_TTL_MS) throw new NotifyError('the code has expired', 'ExpiredCode')
    this.db.transaction(() => {
      store.markChannelVerified(this.db, did, name)
      if (!store.preferredChannel(this.db, did)) store.setPreferredChannel(this.db, did, name)
    })()
  }

  /** null: no preference (email). */
  setPreferred(did: string, name: string | null): void {
    if (name !== null && !store.getChannel(this.db, did, name)?.verifiedAt) throw new NotifyError('only a verified channel can be preferred', 'NotVerified')
    store.setPreferredChannel(this.db, did, name)
  }

  removeChannel(did: string, name: string): void {
    store.deleteChannel(this.db, did, name)
  }

  listChannels(did: string): ChannelView[] {
    return store.listChannels(this.db, did).map((r) => ({ channel: r.channel as ChannelName, address: r.address, verified: !!r.verifiedAt, preferred: !!r.preferred }))
  }

  /** What a person was sent: time, channel, kind, delivered or failed (no bodies). */
  history(did: string, limit = 50): store.HistoryRow[] {
    return store.notificationHistory(this.db, did, limit)
  }

  /** Every attempt of one notification (operators, tests). */
  attempts(id: number): store.AttemptRow[] {
    return store.listAttempts(this.db, id)
  }

  notification(id: number): store.NotificationRow | null {
    return store.getNotification(this.db, id)
  }

  status(): NotifyStatus {
    return {
      channels: [...this.channels.keys()],
      emailDelivers: this.email.delivers,
      queue: store.queueCounts(this.db),
      breakers: this.queue.breakers.list(),
      recentFailures: store.recentFailures(this.db, 5),
    }
  }

  start() {
    this.queue.start()
  }

  close() {
    this.queue.stop()
    for (const channel of this.channels.values()) channel.close?.()
  }
}

/** The address in the channel's canonical form; what is wrong with it as a NotifyError (InvalidAddress). */
function addressFor(channel: Channel, address: string): string {
  try {
    return channel.normalizeAddress(address)
  } catch (err) {
    throw new NotifyError((err as Error).message, 'InvalidAddress')
  }
}

/** What `pds status` shows, from account.sqlite opened read-only (the server need not run); null before the queue existed. */
export function readNotifyStatus(accountDbLocation: string): Pick<NotifyStatus, 'queue' | 'breakers' | 'recentFailures'> | null {
  if (!existsSync(accountDbLocation)) return null
  try {
    const db = openDatabase(accountDbLocation, 'account', { readonly: true })
    try {
      return { queue: store.queueCounts(db), breakers: store.listBreakers(db), recentFailures: store.recentFailures(db, 5) }
    } finally {
      db.close()
    }
  } catch {
    return null // a database from before the notification queue
  }
}

export function buildNotify(opts: { config: Config; log: Logger; db: Database; mailer?: Mailer }): NotifyService {
  return new NotifyService(opts.db, buildChannels(opts.config, opts.log, opts.mailer), opts.config, opts.log)
}

/** `pds notify test`: one message straight through a channel (no queue), so the operator sees the error. */
export async function sendTestMessage(config: Config, log: Logger, name: string, address: string): Promise<{ channel: ChannelName; address: string }> {
  const channels = buildChannels(config, log)
  try {
    const channel = (CHANNEL_NAMES as readonly string[]).includes(name) ? channels.get(name as ChannelName) : undefined
    if (!channel) throw new NotifyError(`channel ${name} is not configured (configured: ${[...channels.keys()].filter((c) => CHANNEL_NAMES.includes(c)).join(', ')})`, 'UnknownChannel')
    if (channel instanceof EmailChannel && !channel.delivers) throw new NotifyError('email is not configured (PDS_EMAIL_SMTP_URL is unset; messages only go to the log)', 'UnknownChannel')
    const normalized = addressFor(channel, address)
    const templates = new Templates(config.service.serviceName ?? config.service.hostname, loadTemplateOverrides(config.notify.templatesFile))
    const { subject, text } = templates.render('test', { channel: channel.name })
    await channel.send({ id: Date.now(), address: normalized, subject, text })
    return { channel: channel.name, address: normalized }
  } finally {
    for (const channel of channels.values()) channel.close?.()
  }
}
