// A NotifyService on an in-memory account database, configured like `pds serve` from PDS_* values.
import { buildConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/logger.ts'
import { openDatabase } from '../../src/storage/sqlite.ts'
import { buildNotify, type NotifyService } from '../../src/services/notify/index.ts'
import type { Mailer, MailMessage } from '../../src/services/mail/mailer.ts'
import { testEnv } from '../helpers/server.ts'

export function notifyHarness(env: Record<string, string> = {}, opts: { mailer?: Mailer; path?: string } = {}) {
  const config = buildConfig(testEnv('/tmp/pds-notify-unused', 2583, { PDS_NOTIFY_RETRY_BASE_MS: '20', ...env }))
  const db = openDatabase(opts.path ?? ':memory:', 'account')
  /** Every log line, as written (secrets must never appear in them). */
  const logged: string[] = []
  const log = createLogger('trace', {}, (line) => logged.push(line) > 0)
  const notify: NotifyService = buildNotify({ config, log, db, mailer: opts.mailer })
  notify.start()
  return {
    config,
    db,
    notify,
    logged,
    close() {
      notify.close()
      db.close()
    },
  }
}

/** A Mailer that keeps messages (the email channel's transport in unit tests). */
export function memoryMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = []
  return { sent, send: async (m) => void sent.push(m) }
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await Bun.sleep(10)
  }
}
