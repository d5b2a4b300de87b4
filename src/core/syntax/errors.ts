/** Thrown by every `ensureValidX` helper; `kind` names the syntax that failed (did, handle, ...). */
export class InvalidSyntaxError extends Error {
  readonly kind: string

  constructor(kind: string, message: string) {
    super(`Invalid ${kind}: ${message}`)
    this.name = 'InvalidSyntaxError'
    this.kind = kind
  }
}

/**
 * Shared shape of a validator: it returns a reason string when the input is bad, null when good.
 * Each module builds its `isValidX` / `ensureValidX` pair from one such function so the two never disagree.
 */
export type SyntaxCheck = (input: string) => string | null

export function makeEnsure(kind: string, check: SyntaxCheck): (input: string) => void {
  return (input: string) => {
    const reason = typeof input === 'string' ? check(input) : 'must be a string'
    if (reason !== null) throw new InvalidSyntaxError(kind, reason)
  }
}

export function makeIsValid(check: SyntaxCheck): (input: string) => boolean {
  return (input: string) => typeof input === 'string' && check(input) === null
}
