// Domain errors: what went wrong, in the services' terms. The edge's one error mapper turns
// each kind into an HTTP status; `code` is the lexicon error name when the reference uses a specific one.
export type DomainErrorKind =
  | 'invalid-input'
  | 'auth-required'
  | 'forbidden'
  | 'not-found'
  | 'too-large'
  | 'rate-limited'
  | 'upstream-failure'
  | 'unavailable'
  | 'internal'

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** The lexicon error name (`InvalidSwap`, `ExpiredToken`…); each kind has a default at the edge. */
    readonly code?: string,
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export const invalidInput = (message = 'Invalid Request', code?: string) => new DomainError('invalid-input', message, code)
export const authRequired = (message = 'Authentication Required', code?: string) => new DomainError('auth-required', message, code)
export const forbidden = (message = 'Forbidden', code?: string) => new DomainError('forbidden', message, code)
export const notFound = (message = 'Not Found', code?: string) => new DomainError('not-found', message, code)
export const tooLarge = (message = 'Payload Too Large', code?: string) => new DomainError('too-large', message, code)
export const upstreamFailure = (message = 'Upstream Failure', code?: string) => new DomainError('upstream-failure', message, code)
export const internalError = (message = 'Internal Server Error') => new DomainError('internal', message)

/**
 * A remote service answered with an error the caller should see as it was (the proxy passes the
 * upstream's error name and status on, as the reference's pipethrough does).
 */
export class UpstreamResponseError extends Error {
  constructor(
    readonly upstreamStatus: number,
    readonly code: string,
    message: string,
    /** Upstream response headers worth passing on (retry-after…). */
    readonly passOnHeaders?: Record<string, string>,
  ) {
    super(message)
    this.name = 'UpstreamResponseError'
  }
}
