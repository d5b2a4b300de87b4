// Signal through signal-cli (https://github.com/AsamK/signal-cli) run as an external command:
// `signal-cli -a <account> send --message-from-stdin <recipient>` with an argument array, never a
// shell, and the message on stdin so that no text becomes an option. Recipients are validated.
import { AddressError, ChannelError, recipientError, type Channel, type OutgoingMessage } from '../channel.ts'

/** E.164 phone numbers. */
export const PHONE = /^\+[1-9]\d{6,14}$/
/** Signal usernames: a nickname and a discriminator of at least two digits (alice.42). */
export const USERNAME = /^[A-Za-z_][A-Za-z0-9_]{2,31}\.\d{2,9}$/
const TIMEOUT_MS = 60_000

/** A phone number (spaces, dashes, parentheses dropped) or a username; anything else is refused. */
export function signalRecipient(address: string): string {
  const v = address.trim().replace(/[\s()-]/g, '')
  if (PHONE.test(v)) return v
  const u = address.trim()
  if (USERNAME.test(u)) return u
  throw new AddressError('a Signal recipient is a phone number in international form (+15551234567) or a username (name.42)')
}

/** What both ways to signal-cli (the command here, the JSON-RPC daemon) share: name and recipients. */
export abstract class SignalRecipients implements Channel {
  readonly name = 'signal'

  normalizeAddress(address: string): string {
    return signalRecipient(address)
  }

  abstract send(msg: OutgoingMessage): Promise<void>
}

export type SignalConfig = { cliPath: string; account: string }

export class SignalChannel extends SignalRecipients {
  constructor(private readonly config: SignalConfig) {
    super()
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const recipient = this.normalizeAddress(msg.address)
    const target = PHONE.test(recipient) ? [recipient] : ['--username', recipient]
    // A bare name is looked up on the current PATH (Bun.spawn alone would use the PATH it started with).
    const executable = this.config.cliPath.includes('/') ? this.config.cliPath : Bun.which(this.config.cliPath, { PATH: process.env.PATH ?? '' })
    if (!executable) throw new ChannelError(`signal-cli not found: ${this.config.cliPath} is not on PATH`)
    const args = [executable, '-a', this.config.account, 'send', '--message-from-stdin', ...target]
    let proc: ReturnType<typeof Bun.spawn>
    try {
      proc = Bun.spawn(args, { stdin: 'pipe', stdout: 'ignore', stderr: 'pipe', timeout: TIMEOUT_MS })
    } catch (err) {
      throw new ChannelError(`signal-cli could not be started: ${(err as Error).message}`)
    }
    const stdin = proc.stdin as import('bun').FileSink
    stdin.write(`${msg.subject}\n\n${msg.text}`)
    await stdin.end()
    const [code, stderr] = await Promise.all([proc.exited, Bun.readableStreamToText(proc.stderr as ReadableStream)])
    const message = `signal-cli exited with ${code}: ${stderr.trim().slice(0, 300)}`
    // signal-cli's exit codes: 1 user error, 2 unexpected, 3 server or IO error, 4 untrusted identity
    // key, 5 rate limited. A user error that names the recipient (unregistered, invalid) and an
    // untrusted key are that person's; anything else is the channel's.
    if (code === 4 || (code === 1 && stderr.includes(recipient))) throw recipientError(message)
    if (code !== 0) throw new ChannelError(message)
  }
}
