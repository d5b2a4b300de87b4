import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { RATE } from '../../../_util/accounts.ts'

// `scope` is our compatible extension of the lexicon's input (README, "Scoped app passwords"):
// clients that do not send it get the old kind of app password.
export default defineHandler<unknown, { name: string; privileged?: boolean; scope?: unknown }>({
  nsid: 'com.atproto.server.createAppPassword',
  auth: 'accessFull',
  rateLimit: RATE.createAppPassword,
  handler: ({ auth, input, services }) =>
    services.accounts.createAppPassword(callerDid(auth), input.name, { privileged: input.privileged, scope: input.scope }),
})
