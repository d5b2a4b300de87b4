// Discord through an incoming webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook):
// POST {content} as JSON; `wait=true` makes Discord confirm the message was created. The webhook URL
// holds a secret token: it never appears in logs or errors.
import { AddressError, type Channel, type OutgoingMessage } from '../channel.ts'
import { post } from '../http.ts'

const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'])
const WEBHOOK_PATH = /^\/api(?:\/v\d+)?\/webhooks\/\d{1,25}\/[A-Za-z0-9_-]{1,100}$/
const MAX_CONTENT = 2000

export class DiscordChannel implements Channel {
  readonly name = 'discord'

  constructor(private readonly devMode: boolean) {}

  normalizeAddress(address: string): string {
    if (!URL.canParse(address.trim())) throw new AddressError('not a Discord webhook URL')
    const url = new URL(address.trim())
    const loopbackDev = this.devMode && url.protocol === 'http:' && url.hostname === '127.0.0.1'
    if (!loopbackDev && (url.protocol !== 'https:' || !DISCORD_HOSTS.has(url.hostname) || url.port)) {
      throw new AddressError('a Discord webhook URL starts with https://discord.com/api/webhooks/')
    }
    if (!WEBHOOK_PATH.test(url.pathname) || url.search || url.hash || url.username) throw new AddressError('not a Discord webhook URL')
    return url.href
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const url = new URL(this.normalizeAddress(msg.address))
    url.searchParams.set('wait', 'true')
    const content = `**${msg.subject}**\n${msg.text}`.slice(0, MAX_CONTENT)
    await post(
      url.href,
      // No @everyone or role pings from message text.
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content, allowed_mentions: { parse: [] } }) },
      { devMode: this.devMode, untrusted: true, describe: 'Discord webhook' },
    )
  }
}
