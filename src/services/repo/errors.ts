// Domain errors of the repo service (the edge's error mapper gives them the reference's XRPC names).
import type { CID } from '../../core/cbor.ts'

/** Storage's "no such repo", re-exported so the edge maps it without importing storage. */
export { ActorNotFoundError } from '../../storage/actor/actor-store.ts'

/** A record that fails $type, rkey or lexicon checks (the reference's InvalidRecordError → 400). */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidRecordError'
  }
}

export class BadCommitSwapError extends Error {
  constructor(readonly current: CID | null) {
    super(`Commit was at ${current?.toString() ?? 'null'}`)
    this.name = 'BadCommitSwapError'
  }
}

export class BadRecordSwapError extends Error {
  constructor(readonly current: CID | null) {
    super(`Record was at ${current?.toString() ?? 'null'}`)
    this.name = 'BadRecordSwapError'
  }
}

/** A record references a blob that is missing or does not match (reference blob/transactor.ts). */
export class BlobReferenceError extends Error {
  constructor(
    message: string,
    readonly code: 'BlobNotFound' | 'InvalidMimeType' | 'InvalidSize',
  ) {
    super(message)
    this.name = 'BlobReferenceError'
  }
}

export class RepoImportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RepoImportError'
  }
}
