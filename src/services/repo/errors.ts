// Domain errors of the repo service, and their mapping to the reference's XRPC errors.
import { CID } from '../../core/cbor.ts'
import { InvalidCarError } from '../../core/car.ts'
import { RecordAlreadyExistsError, RecordNotFoundError, InvalidWriteError, RepoVerificationError } from '../../core/repo/index.ts'
import { MissingBlockError } from '../../core/mst/index.ts'
import { InvalidCommitError } from '../../core/commit.ts'
import { ActorNotFoundError } from '../../storage/actor/actor-store.ts'
import { BlobNotFoundError } from '../blobs/store.ts'
import { InvalidRequestError, registerErrorMapper, XRPCError } from '../../xrpc/errors.ts'

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

registerErrorMapper((err): XRPCError | undefined => {
  if (err instanceof InvalidRecordError) return InvalidRequestError(err.message)
  if (err instanceof BadCommitSwapError || err instanceof BadRecordSwapError) return InvalidRequestError(err.message, 'InvalidSwap')
  if (err instanceof BlobReferenceError) return InvalidRequestError(err.message, err.code)
  if (err instanceof BlobNotFoundError) return InvalidRequestError(`Could not find blob: ${err.cid}`, 'BlobNotFound')
  if (err instanceof RecordAlreadyExistsError || err instanceof RecordNotFoundError || err instanceof InvalidWriteError) {
    return InvalidRequestError(err.message)
  }
  if (err instanceof ActorNotFoundError) return InvalidRequestError(`Could not find repo: ${err.did}`)
  if (
    err instanceof RepoImportError ||
    err instanceof InvalidCarError ||
    err instanceof RepoVerificationError ||
    err instanceof MissingBlockError ||
    err instanceof InvalidCommitError
  ) {
    return InvalidRequestError(err.message)
  }
  return undefined
})
