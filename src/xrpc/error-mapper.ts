// The one place errors become XRPC {error, message} bodies: domain errors from core, storage and
// services get the reference's names and statuses here, so none of those layers knows HTTP.
import { InvalidCarError } from '../core/car.ts'
import { InvalidCommitError } from '../core/commit.ts'
import { MissingBlockError } from '../core/mst/index.ts'
import { InvalidWriteError, RecordAlreadyExistsError, RecordNotFoundError, RepoVerificationError } from '../core/repo/index.ts'
import { BlobNotFoundError } from '../services/blobs/store.ts'
import { DomainError, UpstreamResponseError, type DomainErrorKind } from '../services/errors.ts'
import { ActorNotFoundError, BadCommitSwapError, BadRecordSwapError, BlobReferenceError, InvalidRecordError, RepoImportError } from '../services/repo/errors.ts'
import { InvalidRequestError, XRPCError } from './errors.ts'

/** Each kind's status and the XRPC error name used when the service gives no specific one. */
const KINDS: Record<DomainErrorKind, [status: number, error: string]> = {
  'invalid-input': [400, 'InvalidRequest'],
  'auth-required': [401, 'AuthenticationRequired'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'NotFound'],
  'too-large': [413, 'PayloadTooLarge'],
  'rate-limited': [429, 'RateLimitExceeded'],
  'upstream-failure': [502, 'UpstreamFailure'],
  unavailable: [503, 'NotEnoughResources'],
  internal: [500, 'InternalServerError'],
}

export function toXrpcError(err: unknown): XRPCError | undefined {
  if (err instanceof XRPCError) return err
  if (err instanceof DomainError) {
    const [status, error] = KINDS[err.kind]
    return new XRPCError(status, err.code ?? error, err.message)
  }
  if (err instanceof UpstreamResponseError) return new XRPCError(err.upstreamStatus, err.code, err.message, err.passOnHeaders)
  if (err instanceof BadCommitSwapError || err instanceof BadRecordSwapError) return InvalidRequestError(err.message, 'InvalidSwap')
  if (err instanceof BlobReferenceError) return InvalidRequestError(err.message, err.code)
  if (err instanceof BlobNotFoundError) return InvalidRequestError(`Could not find blob: ${err.cid}`, 'BlobNotFound')
  if (err instanceof ActorNotFoundError) return InvalidRequestError(`Could not find repo: ${err.did}`)
  if (
    err instanceof InvalidRecordError ||
    err instanceof RecordAlreadyExistsError ||
    err instanceof RecordNotFoundError ||
    err instanceof InvalidWriteError ||
    err instanceof RepoImportError ||
    err instanceof InvalidCarError ||
    err instanceof RepoVerificationError ||
    err instanceof MissingBlockError ||
    err instanceof InvalidCommitError
  ) {
    return InvalidRequestError(err.message)
  }
  return undefined
}
