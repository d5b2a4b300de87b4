#!/usr/bin/env bun
// The `pds` executable: every operator command, and the server itself (`pds serve`).
import { Command } from 'commander'
import { VERSION } from '../src/version.ts'
import { registerServe } from './commands/serve.ts'
import { registerInit } from './commands/init.ts'
import { registerDoctor } from './commands/doctor.ts'
import { registerRequestCrawl } from './commands/request-crawl.ts'
import { registerBackup } from './commands/backup.ts'
import { registerInstallService } from './commands/install-service.ts'
import { registerStatus } from './commands/status.ts'
import { registerAccount } from './commands/account.ts'
import { registerInvite } from './commands/invite.ts'
import { registerTakedown } from './commands/takedown.ts'
import { registerExport } from './commands/export.ts'
import { registerImport } from './commands/import.ts'
import { registerMigrate } from './commands/migrate.ts'

const program = new Command()
  .name('pds')
  .description('A single-binary AT Protocol Personal Data Server')
  .version(VERSION, '-v, --version')

registerInit(program)
registerServe(program)
registerDoctor(program)
registerRequestCrawl(program)
registerBackup(program)
registerInstallService(program)
registerStatus(program)
registerAccount(program)
registerTakedown(program) // adds takedown/untakedown to `pds account`
registerInvite(program)
registerExport(program)
registerImport(program)
registerMigrate(program)

await program.parseAsync(process.argv)
