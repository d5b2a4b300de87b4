// Builds the moderation service from its slice of the configuration (the composition root calls this).
import { join } from 'node:path'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { openDatabase } from '../../storage/sqlite.ts'
import type { AccountService } from '../accounts/account-service.ts'
import type { RepoService } from '../repo/service.ts'
import { keyFilesFor } from '../repo/keys.ts'
import type { SubjectStatusPort } from './context.ts'
import { ModerationService } from './index.ts'

export function buildModeration(
  config: Config,
  log: Logger,
  deps: { accounts: AccountService; repo: RepoService; applySubjectStatus: SubjectStatusPort },
): ModerationService {
  const db = openDatabase(join(config.db.dataDirectory, 'moderation.sqlite'), 'moderation', { synchronous: config.db.synchronous })
  return new ModerationService({
    db,
    log,
    ...deps,
    keys: { keyFiles: keyFilesFor(config), directory: join(config.db.dataDirectory, 'moderation') },
    teamHandle: config.moderation.teamHandle,
    publicUrl: config.service.publicUrl,
    devMode: config.service.devMode,
  })
}
