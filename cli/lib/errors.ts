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

/**
 * One line for the errors an operator can fix from the shell: a file or folder that cannot be opened
 * or written, named with the user the process runs as. Null for anything else.
 */
export function explainSystemError(err: unknown): string | null {
  if (!(err instanceof Error)) return null
  const { code, path } = err as Error & { code?: string; path?: string }
  const user = process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`
  if (code === 'SQLITE_CANTOPEN') {
    return `cannot open the database ${path ?? '(unknown file)'}: its folder must exist and be writable by ${user} (e.g. chown -R ${user} <data-dir>)`
  }
  if ((code === 'EACCES' || code === 'EPERM') && path) return `permission denied on ${path}: it must be writable by ${user} (e.g. chown -R ${user} <data-dir>)`
  if (code === 'EROFS' && path) return `${path} is on a read-only file system`
  if (code === 'ENOSPC') return `no space left on the device${path ? ` holding ${path}` : ''}`
  return null
}
