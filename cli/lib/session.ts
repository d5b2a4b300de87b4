// Logging in as an account (createSession) for commands that act as that account, e.g. import.
import * as p from '@clack/prompts'
import { CliError, EXIT } from './errors.ts'
import { XrpcClient } from './xrpc-client.ts'

export type Session = { did: string; handle: string; accessJwt: string; client: XrpcClient }

/** The password from the flag, else $PDS_ACCOUNT_PASSWORD, else asked on a terminal. */
export async function accountPassword(flag: string | undefined, identifier: string): Promise<string> {
  const password = flag ?? process.env.PDS_ACCOUNT_PASSWORD
  if (password) return password
  if (!process.stdin.isTTY) throw new CliError('no password: pass --password or set PDS_ACCOUNT_PASSWORD', EXIT.usage)
  const answer = await p.password({ message: `Password for ${identifier}` })
  if (p.isCancel(answer)) throw new CliError('cancelled', EXIT.refused)
  return answer
}

export async function login(base: XrpcClient, identifier: string, password: string): Promise<Session> {
  const res = await base.withAuthorization(undefined).procedure<{ did: string; handle: string; accessJwt: string }>('com.atproto.server.createSession', { identifier, password })
  return { did: res.did, handle: res.handle, accessJwt: res.accessJwt, client: base.withAuthorization(`Bearer ${res.accessJwt}`) }
}
