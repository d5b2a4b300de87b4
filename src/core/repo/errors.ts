// Typed domain errors of the commit builder; the XRPC layer maps them to lexicon errors.
export class RecordAlreadyExistsError extends Error {
  constructor(readonly path: string) {
    super(`Record already exists: ${path}`)
    this.name = 'RecordAlreadyExistsError'
  }
}

export class RecordNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`Record not found: ${path}`)
    this.name = 'RecordNotFoundError'
  }
}

export class InvalidWriteError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidWriteError'
  }
}

export class RepoVerificationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RepoVerificationError'
  }
}
