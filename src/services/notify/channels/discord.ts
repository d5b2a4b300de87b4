// Discord, two ways. An incoming webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook):
// POST {content} as JSON; `wait=true` makes Discord confirm the message was created; the webhook URL
// holds a secret token and never appears in logs or errors. Or a direct message from the operator's
// bot to a user id (https://discord.com/developers/docs/resources/user#create-dm, then
// https://discord.com/developers/docs/resources/message#create-message): POST /users/@me/channels
// {recipient_id} gives the DM channel, POST /channels/{id}/messages {content} sends; "Bot <token>" auth.
import { AddressError, ConfiguredChannel, type Channel, type OutgoingMessage } from '../channel.ts'
import { post } from '../http.ts'

const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'])
const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/\d{1,25}\/[A-Za-z0-9_-]{1,100}$/
/** A user id (snowflake). */
const USER_ID = /^\d{15,21}$/
const MAX_CONTENT = 2000

export type DiscordConfig = {
  /** People may give a webhook URL of their own (PDS_DISCORD_WEBHOOKS_ENABLED). */
  webhooks: boolean
  /** The operator's bot, for direct messages to a user id (PDS_DISCORD_BOT_TOKEN). */
  bot?: { botToken: string; apiUrl: string }
  /** This server's URL, for the User-Agent Discord asks bots to send: "DiscordBot ($url, $version)". */
  serverUrl: string
}

export class DiscordChannel extends ConfiguredChannel<DiscordConfig> implements Channel {
  readonly name = 'discord'

  normalizeAddress(address: string): string {
    const v = address.trim()
    if (this.config.bot && USER_ID.test(v)) return v
    const expected = [this.config.bot && 'a Discord user id (a long number)', this.config.webhooks && 'a Discord webhook URL (https://discord.com/api/webhooks/…)'].filter(Boolean).join(' or ')
    if (!this.config.webhooks || !URL.canParse(v)) throw new AddressError(`not ${expected}`)
    const url = new URL(v)
    const loopbackDev = this.devMode && url.protocol === 'http:' && url.hostname === '127.0.0.1'
    if (!loopbackDev && (url.protocol !== 'https:' || !DISCORD_HOSTS.has(url.hostname) || url.port)) {
      throw new AddressError('a Discord webhook URL starts with https://discord.com/api/webhooks/')
    }
    if (!WEBHOOK_PATH.test(url.pathname) || url.search || url.hash || url.username) throw new AddressError('not a Discord webhook URL')
    return url.href
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const address = this.normalizeAddress(msg.address)
    const content = `**${msg.subject}**\n${msg.text}`.slice(0, MAX_CONTENT)
    // No @everyone or role pings from message text.
    const body = JSON.stringify({ content, allowed_mentions: { parse: [] } })
    if (USER_ID.test(address)) return this.directMessage(address, body)
    const url = new URL(address)
    url.searchParams.set('wait', 'true')
    await post(
      url.href,
      { headers: { 'content-type': 'application/json' }, body },
      // The webhook URL is the person's: an unknown webhook (404) or a bad token (401) is theirs.
      { devMode: this.devMode, untrusted: true, describe: 'Discord webhook', isRecipientError: (status) => status === 401 || status === 403 || status === 404 },
    )
  }

  private async directMessage(userId: string, body: string) {
    const bot = this.config.bot!
    const api = bot.apiUrl.replace(/\/+$/, '')
    const headers = { authorization: `Bot ${bot.botToken}`, 'content-type': 'application/json', 'user-agent': `DiscordBot (${this.config.serverUrl}, 1)` }
    // The bot's token is the operator's: 401 is the channel's. Refusals naming the person (no shared
    // server, DMs closed: 403 50007; unknown user 404 10013; an id Discord rejects: 400) are theirs.
    const opts = { devMode: this.devMode, untrusted: false, secrets: [bot.botToken], isRecipientError: (status: number) => status === 400 || status === 403 || status === 404 }
    const dm = (await post(`${api}/users/@me/channels`, { headers, body: JSON.stringify({ recipient_id: userId }) }, { ...opts, describe: 'Discord create DM' })) as {
      id?: unknown
    } | null
    if (typeof dm?.id !== 'string' || !/^\d+$/.test(dm.id)) throw new Error('Discord create DM: no channel id in the answer')
    await post(`${api}/channels/${dm.id}/messages`, { headers, body }, { ...opts, describe: 'Discord create message' })
  }
}
