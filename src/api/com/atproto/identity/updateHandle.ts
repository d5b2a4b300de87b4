import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerDid } from '../../../../xrpc/auth.ts'
import { RATE } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { handle: string }>({
  nsid: 'com.atproto.identity.updateHandle',
  auth: 'accessPrivileged',
  rateLimit: RATE.updateHandle,
  handler: async ({ auth, input, services }) => {
    await services.accounts.updateHandle(callerDid(auth), input.handle)
  },
})
