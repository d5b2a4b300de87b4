// Exit codes every command shares, so scripts can tell "failed" from "refused" from "server down".
export const EXIT = {
  ok: 0,
  /** the check or operation ran and found a problem (verify failed, doctor fail) */
  failed: 1,
  /** bad arguments */
  usage: 2,
  /** refused to act: would overwrite data, server is running, ... */
  refused: 3,
  /** the server could not be reached (sysexits EX_UNAVAILABLE) */
  unavailable: 69,
  /** configuration missing or invalid (sysexits EX_CONFIG) */
  config: 78,
} as const

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message)
    this.name = 'CliError'
  }
}
