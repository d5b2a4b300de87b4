// Every command but `serve`: loaded only when one of them (or --help) runs, so that the long-running
// server process does not carry the prompt, backup and migration modules in memory.
import type { Command } from 'commander'
import { registerInit } from './init.ts'
import { registerDoctor } from './doctor.ts'
import { registerRequestCrawl } from './request-crawl.ts'
import { registerBackup } from './backup.ts'
import { registerInstallService } from './install-service.ts'
import { registerStatus } from './status.ts'
import { registerAccount } from './account.ts'
import { registerInvite } from './invite.ts'
import { registerTakedown } from './takedown.ts'
import { registerExport } from './export.ts'
import { registerImport } from './import.ts'
import { registerMigrate } from './migrate.ts'
import { registerAdopt } from './adopt.ts'
import { registerRestoreAccount } from './restore-account.ts'
import { registerKeys } from './keys.ts'
import { registerNotify } from './notify.ts'
import { registerAudit } from './audit.ts'
import { registerModeration } from './moderation.ts'
import { registerLitestream } from './litestream.ts'

export function registerOperatorCommands(program: Command): void {
  registerInit(program)
  registerDoctor(program)
  registerRequestCrawl(program)
  registerBackup(program)
  registerInstallService(program)
  registerStatus(program)
  registerAccount(program)
  registerTakedown(program) // adds takedown/untakedown/delete to `pds account`
  registerInvite(program)
  registerExport(program)
  registerImport(program)
  registerMigrate(program)
  registerAdopt(program)
  registerRestoreAccount(program)
  registerKeys(program)
  registerNotify(program)
  registerAudit(program)
  registerModeration(program)
  registerLitestream(program)
}
