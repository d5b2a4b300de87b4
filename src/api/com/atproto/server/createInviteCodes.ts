import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<unknown, { codeCount: number; useCount: number; forAccounts?: string[] }>({
  nsid: 'com.atproto.server.createInviteCodes',
  auth: 'admin',
  handler: ({ input, services }) => {
    const forAccounts = input.forAccounts?.length ? input.forAccounts : ['admin']
    return { codes: services.accounts.createInviteCodes(forAccounts, input.codeCount ?? 1, input.useCount) }
  },
})
