// Options many commands share, declared once so their names, short forms and help agree.
import type { Command } from 'commander'
import { SEARCH_ORDER } from '../../src/config/discover.ts'

/** --data-dir / --env-file: where pds.env is (the same search as `pds serve`). */
export function withConfigOptions(cmd: Command): Command {
  return cmd
    .option('-d, --data-dir <dir>', `data directory holding pds.env (default: the first of ${SEARCH_ORDER.replace('--data-dir, ', '')})`)
    .option('-e, --env-file <file>', 'pds.env to read (default: <data-dir>/pds.env)')
}

export function withJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print the result as one JSON document')
}

/** pds.env options, --url of the running server and --json: what every admin command takes. */
export function withServerOptions(cmd: Command, urlHelp = 'server URL (default: http://127.0.0.1:<PDS_PORT>)'): Command {
  return withJsonOption(withConfigOptions(cmd).option('--url <url>', urlHelp))
}
