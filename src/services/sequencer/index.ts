// The firehose as one unit for the composition root: sequencer.sqlite, the Sequencer (the
// RepoEventSink), live fan-out (its WebSocket route lives at the edge), retention and relay notifications.
import type { Breakers } from '../net/circuit-breaker.ts'
import type { Metrics } from '../metrics.ts'
import type { Database } from 'bun:sqlite'
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import { openDatabase } from '../../storage/sqlite.ts'
import { Crawlers } from './crawlers.ts'
import { Firehose } from './firehose.ts'
import { Sequencer } from './sequencer.ts'
import { SequencerStore } from '../../storage/sequencer/repo-seq.ts'
import { DirtyRepoMarks } from '../../storage/sequencer/dirty-repos.ts'
import { recoverUnsequencedCommits, syncEventDataOf, type RecoverySource } from './recovery.ts'
import { DirtyRepos } from './dirty-repos.ts'

export { Sequencer, SequencerStore, Firehose, Crawlers }

export type SequencerService = {
  db: Database
  sequencer: Sequencer
  firehose: Firehose
  crawlers: Crawlers
  /** The repo service marks repos here before it commits to them. */
  journal: DirtyRepos
  /**
   * Startup crash recovery: #sync for repos committed but never sequenced. Run before listening.
   * `sourceFor` gets the DIDs to check: the repos marked dirty, or undefined for every repo (when
   * the marks cannot be trusted). The source also serves, from then on, to re-announce repos whose
   * events a failed append lost.
   */
  recover(sourceFor: (only: string[] | undefined) => RecoverySource, scope: 'dirty' | 'all'): string[]
  close(): void
}

/** sequencer.sqlite's page cache, in KiB (as an actor store's). */
const SEQUENCER_CACHE_KB = 512

/** How often events older than the replay window are deleted. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000

export function createSequencerService(config: Config, log: Logger, breakers?: Breakers, metrics?: Metrics): SequencerService {
  // Appends write new pages and replay reads each page once: SQLite's default 2 MB page cache would
  // only hold pages the OS page cache has anyway.
  const db = openDatabase(config.db.sequencerDbLocation, 'sequencer', { synchronous: config.db.synchronous, cacheKb: SEQUENCER_CACHE_KB })
  const store = new SequencerStore(db)
  const crawlers = new Crawlers(config.service.hostname, config.crawlers, {
    log: log.child({ component: 'crawlers' }),
    breakers,
  })
  const journal = new DirtyRepos(new DirtyRepoMarks(db), { log, stillOwed: () => sequencer.pendingResyncs })
  const sequencer: Sequencer = new Sequencer(store, {
    log,
    onAppend: () => crawlers.notifyOfUpdate(),
    onRepoSequenced: (did, rev) => journal.sequenced(did, rev),
    metrics,
  })
  const firehose = new Firehose(sequencer, {
    maxBuffer: config.subscription.maxBuffer,
    backfillLimitMs: config.subscription.repoBackfillLimitMs,
    metrics,
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
    journal,
    recover: (sourceFor, scope) => {
      const marked = journal.list()
      const source = sourceFor(scope === 'dirty' ? marked : undefined)
      sequencer.setResyncSource((did) => syncEventDataOf(source, did))
      const failed = new Set<string>()
      const synced = recoverUnsequencedCommits(sequencer, source, {
        windowMs: config.subscription.repoBackfillLimitMs,
        log,
        onFailure: (did) => failed.add(did),
      })
      journal.clear(marked.filter((did) => !failed.has(did)))
      return synced
    },
    close() {
      clearInterval(timer)
      journal.close()
      sequencer.close()
      crawlers.stop()
      firehose.close()
    },
  }
}
