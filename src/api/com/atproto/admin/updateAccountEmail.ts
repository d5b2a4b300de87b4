// The operator sets an account's email address (unconfirmed, pending tokens dropped). Admin password only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { updateAccountEmail } from '../../../../services/accounts/admin.ts'

export default defineHandler<unknown, { account: string; email: string }>({
  nsid: 'com.atproto.admin.updateAccountEmail',
  auth: 'admin',
  handler: ({ input, services }) => {
    updateAccountEmail(services.accounts, input.account, input.email)
  },
})
