// The firehose as one unit for the composition root: sequencer.sqlite, the Sequencer (the
// RepoEventSink), live fan-out (its WebSocket route lives at the edge), retention and relay notifications.
import type { Breakers } from '../net/circuit-breaker.ts'
import type { Database } from 'bun:sqlite'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { openDatabase } from '../../storage/sqlite.ts'
import { Crawlers } from './crawlers.ts'
import { Firehose } from './firehose.ts'
import { Sequencer } from './sequencer.ts'
import { SequencerStore } from './store.ts'
import { recoverUnsequencedCommits, syncEventDataOf, type RecoverySource } from './recovery.ts'

export { Sequencer, SequencerStore, Firehose, Crawlers }

export type SequencerService = {
  db: Database
  sequencer: Sequencer
  firehose: Firehose
  crawlers: Crawlers
  /**
   * Startup crash recovery: #sync for repos committed but never sequenced. Run before listening.
   * The source also serves, from then on, to re-announce repos whose events a failed append lost.
   */
  recover(source: RecoverySource): string[]
  close(): void
}

/** How often events older than the replay window are deleted. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000

export function createSequencerService(config: Config, log: Logger, breakers?: Breakers): SequencerService {
  const db = openDatabase(config.db.sequencerDbLocation, 'sequencer')
  const store = new SequencerStore(db)
  const crawlers = new Crawlers(config.service.hostname, config.crawlers, {
    log: log.child({ component: 'crawlers' }),
    breakers,
  })
  const sequencer = new Sequencer(store, {
    log,
    onAppend: () => crawlers.notifyOfUpdate(),
  })
  const firehose = new Firehose(sequencer, {
    maxBuffer: config.subscription.maxBuffer,
    backfillLimitMs: config.subscription.repoBackfillLimitMs,
  })
  const prune = () => {
    try {
      const removed = sequencer.prune(config.subscription.repoBackfillLimitMs)
      if (removed > 0)
        log.info('pruned firehose events outside the replay window', {
          removed,
        })
    } catch (err) {
      log.error('failed to prune firehose events', { err })
    }
  }
  prune()
  const timer = setInterval(prune, PRUNE_INTERVAL_MS)
  timer.unref?.()
  return {
    db,
    sequencer,
    firehose,
    crawlers,
    recover: (source) => {
      sequencer.setResyncSource((did) => syncEventDataOf(source, did))
      return recoverUnsequencedCommits(sequencer, source, { windowMs: config.subscription.repoBackfillLimitMs, log })
    },
    close() {
      clearInterval(timer)
      sequencer.close()
      crawlers.stop()
      firehose.close()
    },
  }
}
