#!/usr/bin/env bun
// The `pds` executable: every operator command, and the server itself (`pds serve`).
import { Command } from 'commander'
import { VERSION } from '../src/version.ts'
import { registerServe } from './commands/serve.ts'

const program = new Command()
  .name('pds')
  .description('A single-binary AT Protocol Personal Data Server')
  .version(VERSION, '-v, --version')

registerServe(program)
if (process.argv[2] !== 'serve') {
  const { registerOperatorCommands } = await import('./commands/operator.ts')
  registerOperatorCommands(program)
}

await program.parseAsync(process.argv)
