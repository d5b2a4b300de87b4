// `pds notify test <channel> <address>`: sends one message straight through a configured channel (no
// queue, no running server needed), so the operator sees at once whether PDS_TELEGRAM_BOT_TOKEN & co work.
import type { Command } from 'commander'
import { sendTestMessage, NotifyError } from '../../src/services/notify/index.ts'
import { ChannelError } from '../../src/services/notify/channel.ts'
import { createLogger } from '../../src/logger.ts'
import { loadCliConfig } from '../lib/config.ts'
import { CliError, EXIT } from '../lib/errors.ts'
import { withConfigOptions, withJsonOption } from '../lib/options.ts'
import { Output, runCommand } from '../lib/output.ts'

export function registerNotify(program: Command): void {
  const notify = program.command('notify').description('notification channels (email, Discord, Telegram, Signal, ntfy)')
  withJsonOption(
    withConfigOptions(
      notify
        .command('test')
        .argument('<channel>', 'email, discord, telegram, signal or ntfy')
        .argument('<address>', 'email address, Discord webhook URL, Telegram chat id, Signal number or username, ntfy topic')
        .description('send a test message through one channel and report the outcome'),
    ),
  ).action((channel: string, address: string, opts: { dataDir?: string; envFile?: string; json?: boolean }) => {
    const out = new Output(opts)
    return runCommand(out, async () => {
      const { config } = loadCliConfig(opts)
      try {
        const sent = await sendTestMessage(config, createLogger('silent'), channel, address)
        out.result({ sent: true, ...sent }, () => `sent a test message over ${sent.channel} to ${sent.channel === 'discord' ? 'the webhook' : sent.address}`)
      } catch (err) {
        if (err instanceof NotifyError) throw new CliError(err.message, EXIT.usage)
        if (err instanceof ChannelError) throw new CliError(`${channel}: ${err.message}`, EXIT.unavailable)
        throw err
      }
    })
  })
}
