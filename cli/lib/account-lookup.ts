// Which account an operator means: a DID, a handle as `pds account list` shows it, a short handle on
// this server's domain (`alice` → alice.pds.example.com) or an email. Looked up in this server's
// account database, read-only: network handle resolution fails for taken-down accounts, which are
// exactly the ones an operator may need to untake down.
import { existsSync } from 'node:fs'
import type { Config } from '../../src/config/config.ts'
import { lookupAccountOffline, type OfflineAccount } from '../../src/services/accounts/offline-lookup.ts'
import { CliError, EXIT } from './errors.ts'

/** `alice` becomes `alice.<first handle domain>`; full handles are kept. */
export function fullHandle(handle: string, config: Config): string {
  if (handle.includes('.')) return handle.toLowerCase()
  const domain = config.identity.serviceHandleDomains[0] ?? `.${config.service.hostname}`
  return `${handle}${domain}`.toLowerCase()
}

export type FoundAccount = { did: string; handle: string | null; email: string | null }

export function findAccount(config: Config, identifier: string): FoundAccount {
  const path = config.db.accountDbLocation
  if (!existsSync(path)) throw new CliError(`no account database at ${path}: is --data-dir right?`, EXIT.config)
  const wanted = identifier.trim().replace(/^@/, '')
  let row: OfflineAccount | null
  let lookedUp: string
  if (wanted.startsWith('did:')) [row, lookedUp] = [lookupAccountOffline(path, 'id', wanted), wanted]
  else if (wanted.includes('@')) [row, lookedUp] = [lookupAccountOffline(path, 'email', wanted), `email ${wanted}`]
  else {
    const handle = fullHandle(wanted, config)
    ;[row, lookedUp] = [lookupAccountOffline(path, 'id', handle), `handle ${handle}`]
  }
  if (!row) throw new CliError(`no account with ${lookedUp} on this server (see \`pds account list\`)`, EXIT.failed)
  return row
}
