// A RepoService on a temp dir, without the HTTP server, for service-level tests and benches.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Lexicons } from '../../src/core/lexicon/index.ts'
import { LEXICON_SOURCES } from '../../src/generated/lexicons.gen.ts'
import { createLogger } from '../../src/logger.ts'
import { ActorStore } from '../../src/storage/actor/actor-store.ts'
import { DiskBlobStore } from '../../src/services/blobs/store.ts'
import { RepoService } from '../../src/services/repo/service.ts'
import type { CommitEvent, RepoEventSink } from '../../src/services/events.ts'
import { carToBytes } from '../../src/core/car.ts'
import { verifyRepoCar } from '@atproto/repo'

let sharedLexicons: Lexicons | undefined

export type RepoHarness = { dir: string; repo: RepoService; commits: CommitEvent[]; close(): void }

export function repoHarness(opts: { cacheSize?: number } = {}): RepoHarness {
  const dir = mkdtempSync(join(tmpdir(), 'pds-repo-'))
  const commits: CommitEvent[] = []
  const events: RepoEventSink = { commit: (e) => void commits.push(e), sync() {}, identity() {}, account() {} }
  const actors = new ActorStore({ directory: join(dir, 'actors'), cacheSize: opts.cacheSize ?? 100 })
  const blobs = new DiskBlobStore({ location: join(dir, 'blobs'), tempLocation: join(dir, 'blobs', 'tmp') })
  sharedLexicons ??= new Lexicons(LEXICON_SOURCES, { lazy: true })
  const repo = new RepoService({ actors, blobs, lexicons: sharedLexicons, log: createLogger('silent'), events: () => events })
  return {
    dir,
    repo,
    commits,
    close() {
      actors.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Export the whole repo as CAR bytes and verify it with the reference implementation. */
export async function exportAndVerify(repo: RepoService, did: string) {
  const root = repo.getRepoRoot(did)!
  const car = carToBytes(root.cid, repo.exportBlocks(did))
  return verifyRepoCar(car, did, repo.signingKey(did).did())
}
