// Builds the repo service (actor store + blob store + write path) from config for the composition root.
import type { Config } from '../../config/config.ts'
import type { Lexicons } from '../../core/lexicon/index.ts'
import type { Logger } from '../../logger.ts'
import { ActorStore } from '../../storage/actor/actor-store.ts'
import { defaultActorStoreFiles } from '../../storage/open-files.ts'
import { DiskBlobStore } from '../blobs/store.ts'
import { S3BlobStore } from '../blobs/s3-store.ts'
import type { RepoEventSink } from '../events.ts'
import { keyFilesFor } from './keys.ts'
import { RepoService, type AccountHooks, type CommitJournal, type RepoServiceDeps } from './service.ts'
import { NoncePool } from './nonce-pool.ts'

export { RepoService } from './service.ts'

/** What the repo service reads from the others, at call time (they may be wired after it). */
export type RepoSources = { lexicons: Lexicons; events: RepoEventSink; accounts?: AccountHooks }

export function createRepoService(config: Config, log: Logger, services: RepoSources, opts: { journal?: CommitJournal; metrics?: RepoServiceDeps['metrics'] } = {}): RepoService {
  const actors = new ActorStore({
    directory: config.db.actorStoreDirectory,
    cacheSize: config.db.actorStoreCacheSize,
    maxOpenFiles: config.db.actorStoreMaxOpenFiles ?? defaultActorStoreFiles(),
    keys: keyFilesFor(config),
    synchronous: config.db.synchronous,
  })
  const blobs =
    config.blobstore.provider === 's3'
      ? new S3BlobStore(config.blobstore)
      : new DiskBlobStore({ location: config.blobstore.location, tempLocation: config.blobstore.tempLocation })
  return new RepoService({
    actors,
    blobs,
    lexicons: services.lexicons,
    log: log.child({ service: 'repo' }),
    events: () => services.events,
    accounts: () => services.accounts,
    uploadLimit: config.service.blobUploadLimit,
    journal: opts.journal,
    metrics: opts.metrics,
    noncePool: new NoncePool(),
  })
}
