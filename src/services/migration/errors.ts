// Why a migration stopped, in words for the person moving, with what they can do about it. The CLI
// turns `needs` into its flag (--email) and `kind` into an exit code; the wizard shows the message.
export type MigrationErrorKind = 'input' | 'refused' | 'failed' | 'unavailable'
/** An answer the person must give before the move can go on. */
export type MigrationNeed = 'email' | 'inviteCode' | 'newHandle' | 'authFactorToken' | 'rotationKey' | 'car'

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly kind: MigrationErrorKind = 'failed',
    readonly needs?: MigrationNeed,
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}
