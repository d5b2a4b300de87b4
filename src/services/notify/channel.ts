// The one small interface every delivery channel implements, and the error that tells the queue
// whether to try again.

/** moderation_email: the moderators' own mail account, for the operator's messages (not a person's choice). */
export type ChannelName = 'email' | 'discord' | 'telegram' | 'signal' | 'ntfy' | 'moderation_email'
/** The channels people and `pds notify test` name. */
export const CHANNEL_NAMES: readonly ChannelName[] = ['email', 'discord', 'telegram', 'signal', 'ntfy']

export type OutgoingMessage = {
  /** The queue's id: channels that can deduplicate (an email Message-ID) use it. */
  id: number
  address: string
  subject: string
  text: string
}

export interface Channel {
  readonly name: ChannelName
  /** The address in canonical form, or an AddressError saying what is wrong with it. */
  normalizeAddress(address: string): string
  /** Resolves when the channel accepted the message; throws ChannelError (or anything: retried). */
  send(msg: OutgoingMessage): Promise<void>
  close?(): void
}

export type ChannelErrorOptions = {
  /** Trying again will not help. */
  permanent?: boolean
  retryAfterMs?: number
  /**
   * The channel answered and refused this recipient (no such chat, blocked bot, unknown webhook, bad
   * address): this delivery fails for good, but the channel works, so its breaker is not tripped.
   */
  recipient?: boolean
}

export class ChannelError extends Error {
  name = 'ChannelError'
  constructor(
    message: string,
    readonly opts: ChannelErrorOptions = {},
  ) {
    super(message)
  }
}

/** A recipient error (see ChannelErrorOptions.recipient): permanent, not the channel's fault. */
export function recipientError(message: string): ChannelError {
  return new ChannelError(message, { permanent: true, recipient: true })
}

/** The channels that talk to a service the operator configured (its settings, and dev mode for loopback fakes). */
export abstract class ConfiguredChannel<C> {
  constructor(
    protected readonly config: C,
    protected readonly devMode: boolean,
  ) {}
}

/** A person's or operator's address the channel cannot use (bad phone number, not a webhook URL…). */
export class AddressError extends Error {
  name = 'AddressError'
}

/** The message of an error with every secret in `secrets` masked: errors are logged and stored. */
export function redact(message: string, secrets: Array<string | undefined>): string {
  let out = message
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]')
  return out
}
