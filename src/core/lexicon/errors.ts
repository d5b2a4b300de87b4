// Errors of the lexicon layer. Validation returns results carrying a ValidationError (hot path,
// no throw); loading a malformed document throws LexiconDocError.

/** A value does not match its lexicon. `message` names the path, e.g. "Record/text must …". */
export class ValidationError extends Error {
  override name = 'ValidationError'
}

/** The schema the value should be checked against is not loaded (unknown NSID or dangling ref). */
export class LexiconDefNotFoundError extends ValidationError {
  override name = 'LexiconDefNotFoundError'
}

/** A lexicon document is malformed, or its id is already registered. */
export class LexiconDocError extends Error {
  override name = 'LexiconDocError'
  constructor(
    message: string,
    /** Every problem found, as "path: message". Empty for a duplicate id. */
    readonly issues: string[] = [],
  ) {
    super(message)
  }
}

export type ValidationResult<T = unknown> =
  | { success: true; value: T }
  | { success: false; error: ValidationError }

export function ok<T>(value: T): ValidationResult<T> {
  return { success: true, value }
}

export function fail(message: string): { success: false; error: ValidationError } {
  return { success: false, error: new ValidationError(message) }
}
