import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<unknown, { did: string }>({
  nsid: 'com.atproto.admin.deleteAccount',
  auth: 'admin',
  handler: async ({ input, services }) => {
    await services.accounts.deleteAccount(input.did)
  },
})
