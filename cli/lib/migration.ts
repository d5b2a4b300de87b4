// `pds migrate`'s view of the migration service (src/services/migration): the same steps the account
// app's wizard runs, with a MigrationError turned into the operator's flag and exit code.
import { MigrationError, type MigrationNeed } from '../../src/services/migration/errors.ts'
import { migrateAccount as migrate, type MigrationOptions, type MigrationReport } from '../../src/services/migration/migrate-account.ts'
import { CliError, EXIT } from './errors.ts'

export { MIGRATION_STEPS, chooseHandle, confirmHandle, type MigrationReport, type MigrationStep } from '../../src/services/migration/migrate-account.ts'

const FLAG: Partial<Record<MigrationNeed, string>> = { email: '--email', inviteCode: '--invite-code', newHandle: '--new-handle', authFactorToken: '--auth-factor-token' }
const EXIT_FOR = { input: EXIT.usage, refused: EXIT.refused, failed: EXIT.failed, unavailable: EXIT.unavailable } as const

/** A MigrationError as the operator sees it: the flag that supplies what is missing, and an exit code. */
export function asCliError(err: unknown, flags: Partial<Record<MigrationNeed, string>> = FLAG): unknown {
  if (!(err instanceof MigrationError)) return err
  const flag = err.needs && err.kind === 'input' ? flags[err.needs] : undefined
  return new CliError(flag ? `${err.message}: pass ${flag}` : err.message, EXIT_FOR[err.kind])
}

export async function migrateAccount(opts: MigrationOptions): Promise<MigrationReport> {
  try {
    return await migrate(opts)
  } catch (err) {
    throw asCliError(err)
  }
}
