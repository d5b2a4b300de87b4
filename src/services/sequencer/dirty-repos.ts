// Which repos a crash could have left ahead of the firehose, so that recovery after a kill -9 checks
// those and not every hosted repo. A repo is marked durably (repo_dirty) before a commit is written
// to its actor store; once a #commit or #sync with that rev is stored, the mark is no longer needed
// and a periodic sweep deletes it. A repo that keeps writing pays for one mark per sweep, not per
// commit. Ordering is what makes this safe against kill -9: the mark is in the OS page cache before
// the commit is. Power loss can reorder writes across files, which is why an unclean stop on another
// boot still checks every repo (see storage/run-marker.ts).
import type { Logger } from '../../logger.ts'
import type { DirtyRepoMarks } from '../../storage/sequencer/dirty-repos.ts'

export class DirtyRepos {
  /** Per repo, the newest rev written but not yet seen sequenced. */
  private readonly awaiting = new Map<string, string>()
  /** Repos with a row in repo_dirty. */
  private readonly marked = new Set<string>()
  private timer?: ReturnType<typeof setInterval>
  /** Told when a mark cannot be written: the next start must then check every repo. */
  onMarkFailed?: () => void

  constructor(
    private readonly marks: DirtyRepoMarks,
    private readonly opts: { log: Logger; sweepMs?: number; stillOwed?: () => Iterable<string> },
  ) {
    this.timer = setInterval(() => this.sweep(), opts.sweepMs ?? 1000)
    this.timer.unref?.()
  }

  /** Repos marked by a previous run (and not cleared since): what recovery checks. */
  list(): string[] {
    return this.marks.list()
  }

  /** Before a commit with `rev` is written to the repo's actor store (the repo service's CommitJournal). */
  willCommit(did: string, rev: string): void {
    const prev = this.awaiting.get(did)
    if (prev === undefined || rev > prev) this.awaiting.set(did, rev)
    if (this.marked.has(did)) return
    try {
      this.marks.mark(did)
      this.marked.add(did)
    } catch (err) {
      // The commit goes ahead (the firehose's own failure handling re-announces it while we run);
      // only the next start's recovery has to widen to every repo.
      this.opts.log.error('cannot mark repo dirty; the next start checks every repo', { did, err })
      this.onMarkFailed?.()
    }
  }

  /** A #commit or #sync of `rev` is stored for the repo. */
  sequenced(did: string, rev: string): void {
    const want = this.awaiting.get(did)
    if (want !== undefined && rev >= want) this.awaiting.delete(did)
  }

  /** The repo is gone: nothing of it will be sequenced any more. */
  forget(did: string): void {
    this.awaiting.delete(did)
  }

  /** Clears the marks of repos whose commits are all sequenced (and not owed a re-announcement). */
  sweep(): void {
    const owed = new Set(this.opts.stillOwed?.() ?? [])
    this.clear([...this.marked].filter((did) => !this.awaiting.has(did) && !owed.has(did)))
  }

  /** Clears marks a previous run left, once recovery has checked those repos. */
  clear(dids: string[]): void {
    if (dids.length === 0) return
    try {
      this.marks.clear(dids)
      for (const did of dids) this.marked.delete(did)
    } catch (err) {
      this.opts.log.error('cannot clear dirty repo marks', { err })
    }
  }

  close(): void {
    clearInterval(this.timer)
    this.sweep()
  }
}
