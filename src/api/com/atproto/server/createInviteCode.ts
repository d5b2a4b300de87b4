import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<unknown, { useCount: number; forAccount?: string }>({
  nsid: 'com.atproto.server.createInviteCode',
  auth: 'admin',
  handler: ({ input, services }) => {
    const [created] = services.accounts.createInviteCodes([input.forAccount ?? 'admin'], 1, input.useCount)
    return { code: created!.codes[0]! }
  },
})
