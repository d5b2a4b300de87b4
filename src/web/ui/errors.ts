// What a web page does with a failure: a PageProblem becomes a page in plain words with its status;
// a refusal from a service (a domain error) becomes a message a person can act on. Which errors are the
// person's input and what they are called is decided once, by the edge's error mapper.
import { DomainError, type DomainErrorKind } from '../../services/errors.ts'

export class PageProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message)
  }
}

/** Domain errors about what the person typed or may do, and their names when the service gives none (as the XRPC mapper's). */
const PERSON_FACING: Partial<Record<DomainErrorKind, string>> = {
  'invalid-input': 'InvalidRequest',
  'auth-required': 'AuthenticationRequired',
  forbidden: 'Forbidden',
  'not-found': 'NotFound',
  'too-large': 'PayloadTooLarge',
  'rate-limited': 'RateLimitExceeded',
}

/** The message of a service refusing the input, or null for a failure of ours (upstream, internal). */
export function serviceMessage(err: unknown): string | null {
  return err instanceof DomainError && err.kind in PERSON_FACING ? err.message : null
}

/** The error's name as the XRPC methods report it (`InvalidToken`, `HandleNotAvailable`…), for a friendlier wording. */
export function serviceErrorName(err: unknown): string | undefined {
  return err instanceof DomainError ? (err.code ?? PERSON_FACING[err.kind]) : undefined
}
