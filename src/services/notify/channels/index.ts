// The channels this server's configuration turns on. Email is always there (SMTP, or the log).
import type { Config } from '../../../config/config.ts'
import type { Logger } from '../../../logger.ts'
import { LogMailer, SmtpMailer, type Mailer } from '../../mail/mailer.ts'
import type { Channel, ChannelName } from '../channel.ts'
import { DiscordChannel } from './discord.ts'
import { EmailChannel } from './email.ts'
import { ModerationEmailChannel } from './moderation-email.ts'
import { NtfyChannel } from './ntfy.ts'
import { SignalChannel } from './signal.ts'
import { SignalRpcChannel } from './signal-rpc.ts'
import { TelegramChannel } from './telegram.ts'

export function buildChannels(config: Config, log: Logger, mailer?: Mailer): Map<ChannelName, Channel> {
  const devMode = config.service.devMode
  const n = config.notify
  const transport = mailer ?? (config.email ? new SmtpMailer(config.email.smtpUrl, config.email.fromAddress) : new LogMailer(log))
  const channels = new Map<ChannelName, Channel>()
  channels.set('email', new EmailChannel(transport, config.service.hostname, !!mailer || !!config.email))
  channels.set('moderation_email', new ModerationEmailChannel(config.moderationEmail, config.service.hostname, log))
  if (n.discord || n.discordBot) channels.set('discord', new DiscordChannel({ webhooks: n.discord, bot: n.discordBot, serverUrl: config.service.publicUrl }, devMode))
  if (n.telegram) channels.set('telegram', new TelegramChannel(n.telegram, devMode))
  if (n.ntfy) channels.set('ntfy', new NtfyChannel(n.ntfy, devMode))
  if (n.signal) channels.set('signal', new SignalChannel(n.signal))
  if (n.signalRpc) channels.set('signal', new SignalRpcChannel(n.signalRpc))
  return channels
}
