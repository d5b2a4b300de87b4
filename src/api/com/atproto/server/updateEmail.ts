import { defineHandler } from '../../../../xrpc/handler.ts'
import { callerNotTakendown } from '../../../_util/accounts.ts'

export default defineHandler<unknown, { email: string; emailAuthFactor?: boolean; token?: string }>({
  nsid: 'com.atproto.server.updateEmail',
  auth: 'accessDeactivated',
  handler: async ({ auth, input, services }) => {
    // Same auth as requestEmailUpdate (full sessions only).
    const did = callerNotTakendown(services.accounts, auth, { full: true })
    await services.accounts.updateEmail(did, input.email, input.token, input.emailAuthFactor)
  },
})
