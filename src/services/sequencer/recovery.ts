// Crash recovery, at startup (before the server listens, so no write can race).
// - A commit is written to its actor store before its event is appended, so a kill -9 in between leaves
//   a repo whose rev is newer than anything on the firehose: such a repo gets a #sync event with its
//   current commit.
// - A write is acknowledged once its commit is durable; its event (and account.sqlite's copy of the
//   head) are written before that but synced after it (Sequencer.commit). A power loss can take them
//   back from an acknowledged commit: such a repo is ahead of the firehose and gets a #sync, as above,
//   and its head copy is repaired (recoverySource's verifyHeads).
// - A power loss can also keep the event and lose the commit (an unacknowledged write): an event whose
//   rev is newer than its repo's head. It was never sent (publication waits for both syncs), so it is
//   dropped. A kill -9 causes neither (the page cache keeps every write, in order); an OS crash makes
//   the next start check every repo (storage/run-marker.ts).
import type { CID } from '../../core/cbor.ts'
import type { SyncEventData } from '../events.ts'
import { tidTimestamp } from '../../core/syntax/tid.ts'
import type { Logger } from '../../logger.ts'
import { revOfEvent } from './events.ts'
import type { Sequencer } from './sequencer.ts'

export type RecoverySource = {
  /** Every hosted account's DID. */
  dids(): Iterable<string>
  getRepoRoot(did: string): { cid: CID; rev: string } | null
  getBlock(did: string, cid: CID): Uint8Array | undefined
}

/** Emits #sync for each repo ahead of its last sequenced commit; returns the DIDs it synced. */
export function recoverUnsequencedCommits(
  sequencer: Sequencer,
  source: RecoverySource,
  opts: { windowMs: number; log: Logger; now?: number; onFailure?: (did: string) => void },
): string[] {
  const windowStartMicros = ((opts.now ?? Date.now()) - opts.windowMs) * 1000
  const synced: string[] = []
  for (const did of source.dids()) {
    try {
      const root = source.getRepoRoot(did)
      if (!root) continue
      const last = dropPhantomEvents(sequencer, did, root.rev, opts.log)
      const lastRev = last ? revOfEvent(last.eventType, last.event) : null
      if (lastRev !== null && lastRev >= root.rev) continue
      // No event at all: fine when the commit is older than the replay window (pruned since).
      if (lastRev === null && tidTimestamp(root.rev) < windowStartMicros) continue
      const current = syncEventDataOf(source, did)
      if (!current) {
        opts.log.error('cannot recover firehose: commit block missing', { did, cid: root.cid.toString() })
        opts.onFailure?.(did)
        continue
      }
      sequencer.sync(did, current)
      synced.push(did)
    } catch (err) {
      opts.log.error('firehose recovery failed for repo', { did, err })
      opts.onFailure?.(did)
    }
  }
  if (synced.length > 0) opts.log.warn('emitted #sync for repos committed but not sequenced', { count: synced.length })
  return synced
}

/**
 * Deletes the repo's #commit/#sync events newer than its head (see the top of this file) and returns
 * its newest remaining one.
 */
export function dropPhantomEvents(sequencer: Sequencer, did: string, headRev: string, log: Logger) {
  for (;;) {
    const last = sequencer.store.lastRepoEvent(did)
    const rev = last && revOfEvent(last.eventType, last.event)
    if (!last || rev === null || rev <= headRev) return last
    sequencer.store.deleteEvent(last.seq)
    log.warn('dropped a firehose event whose commit a power loss took back', { did, seq: last.seq })
  }
}

/** A repo's current commit block, for a #sync; null when the repo or the block is gone. */
export function syncEventDataOf(source: RecoverySource, did: string): SyncEventData | null {
  const root = source.getRepoRoot(did)
  const bytes = root && source.getBlock(did, root.cid)
  return root && bytes ? { cid: root.cid, bytes, rev: root.rev } : null
}

/**
 * A RecoverySource over account.sqlite: active accounts and their repo_root rows (kept by
 * accounts.updateRepoRoot after each commit), so startup opens only the actor stores of repos that
 * are actually behind. Deactivated and taken-down accounts are skipped: they are not on the
 * firehose, and activation emits a #sync of the current commit anyway.
 * After a crash (`verifyHeads`), repo_root may lag its actor store by one commit (it is written just
 * after it), so each head is read from the actor store and the copy in account.sqlite repaired.
 * `only` limits it to the given DIDs (the dirty repos), instead of every hosted account.
 */
export function recoverySource(
  services: {
    accounts: {
      listAccounts(
        cursor: string | undefined,
        limit: number,
      ): { accounts: Array<{ did: string; active: boolean }>; cursor?: string }
      getAccount(did: string): { active: boolean } | null
      getRepoRoot(did: string): { cid: CID; rev: string } | null
      updateRepoRoot(did: string, cid: CID, rev: string): void
    }
    repo: {
      blockReader(did: string): { get(cid: CID): Uint8Array | undefined }
      getRepoRoot(did: string): { cid: CID; rev: string } | null
    }
  },
  opts: { verifyHeads?: boolean; only?: string[] } = {},
): RecoverySource {
  return {
    *dids() {
      if (opts.only) {
        for (const did of opts.only) if (services.accounts.getAccount(did)?.active) yield did
        return
      }
      let cursor: string | undefined
      do {
        const page = services.accounts.listAccounts(cursor, 500)
        for (const account of page.accounts) if (account.active) yield account.did
        cursor = page.cursor
      } while (cursor)
    },
    getRepoRoot: (did) => {
      const recorded = services.accounts.getRepoRoot(did)
      if (!opts.verifyHeads) return recorded
      const actual = services.repo.getRepoRoot(did)
      if (actual && actual.rev !== recorded?.rev) services.accounts.updateRepoRoot(did, actual.cid, actual.rev)
      return actual
    },
    getBlock: (did, cid) => services.repo.blockReader(did).get(cid),
  }
}
