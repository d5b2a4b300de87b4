// Telegram through the Bot API (https://core.telegram.org/bots/api#sendmessage): POST
// {chat_id, text} to <api>/bot<token>/sendMessage; the answer is {ok, result} or {ok: false, description}.
// The person starts a chat with the operator's bot first (bots cannot open conversations).
import { AddressError, ChannelError, ConfiguredChannel, redact, type Channel, type OutgoingMessage } from '../channel.ts'
import { post } from '../http.ts'

const CHAT_ID = /^-?\d{1,20}$/
const CHANNEL_USERNAME = /^@[A-Za-z][A-Za-z0-9_]{4,31}$/
const MAX_TEXT = 4096

export type TelegramConfig = { botToken: string; apiUrl: string }

/**
 * Bot API refusals that are about the chat: 403 (the person blocked the bot, never started it, or is
 * deactivated) and 400 "chat not found". A 401/404 is the bot token (the channel's), and other 400s
 * are our request.
 */
function telegramRecipientError(status: number, body: unknown): boolean {
  const description = String((body as { description?: unknown } | null)?.description ?? '')
  return status === 403 || (status === 400 && /chat not found|user not found|chat_id is empty|PEER_ID_INVALID/i.test(description))
}

export class TelegramChannel extends ConfiguredChannel<TelegramConfig> implements Channel {
  readonly name = 'telegram'

  normalizeAddress(address: string): string {
    const v = address.trim()
    if (!CHAT_ID.test(v) && !CHANNEL_USERNAME.test(v)) throw new AddressError('a Telegram chat id is a number (or @channelname)')
    return v
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const chatId = this.normalizeAddress(msg.address)
    const url = `${this.config.apiUrl.replace(/\/+$/, '')}/bot${this.config.botToken}/sendMessage`
    const body = (await post(
      url,
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: chatId, text: `${msg.subject}\n\n${msg.text}`.slice(0, MAX_TEXT) }) },
      // The Bot API URL is the operator's configuration, not a person's input.
      { devMode: this.devMode, untrusted: false, describe: 'Telegram sendMessage', isRecipientError: telegramRecipientError, secrets: [this.config.botToken] },
    )) as { ok?: boolean; description?: string } | null
    if (body?.ok !== true) throw new ChannelError(redact(`Telegram sendMessage: ${body?.description ?? 'unexpected answer'}`, [this.config.botToken]))
  }
}
