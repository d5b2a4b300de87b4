// `pds migrate`'s view of the migration service (src/services/migration): the same steps the account
// app's wizard runs, with a MigrationError turned into the operator's flag and exit code.
import { MigrationError, type MigrationNeed } from '../../src/services/migration/errors.ts'
import { migrateAccount as migrate, type MigrationOptions, type MigrationReport } from '../../src/services/migration/migrate-account.ts'
import { CliError, EXIT } from './errors.ts'

export { MIGRATION_STEPS, chooseHandle, confirmHandle, type MigrationReport, type MigrationStep } from '../../src/services/migration/migrate-account.ts'

const FLAG: Record<MigrationNeed, string> = { email: '--email', inviteCode: '--invite-code', newHandle: '--new-handle', authFactorToken: '--auth-factor-token' }
const EXIT_FOR = { input: EXIT.usage, refused: EXIT.refused, failed: EXIT.failed } as const

export async function migrateAccount(opts: MigrationOptions): Promise<MigrationReport> {
  try {
    return await migrate(opts)
  } catch (err) {
    if (!(err instanceof MigrationError)) throw err
    const message = err.needs ? `${err.message}: pass ${FLAG[err.needs]}` : err.message
    throw new CliError(message, EXIT_FOR[err.kind])
  }
}
