import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { RATE } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { name: string; privileged?: boolean }>({
  nsid: 'com.atproto.server.createAppPassword',
  auth: 'accessFull',
  rateLimit: RATE.createAppPassword,
  handler: ({ auth, input, services }) => services.accounts.createAppPassword(callerDid(auth), input.name, input.privileged ?? false),
})
