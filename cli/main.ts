#!/usr/bin/env bun
// The `pds` executable: every operator command, and the server itself (`pds serve`).
import { Command } from 'commander'
import { VERSION } from '../src/version.ts'
import { EXIT } from './lib/errors.ts'
import { registerServe } from './commands/serve.ts'

const program = new Command()
  .name('pds')
  .description('A single-binary AT Protocol Personal Data Server')
  .version(VERSION, '-v, --version')
  // Commander exits 1 on a bad flag or a missing argument; the README promises 2 for usage errors.
  // Inherited by every subcommand registered below.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage))

registerServe(program)
if (process.argv[2] !== 'serve') {
  const { registerOperatorCommands } = await import('./commands/operator.ts')
  registerOperatorCommands(program)
}

await program.parseAsync(process.argv)
