import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<unknown, { codes?: string[]; accounts?: string[] }>({
  nsid: 'com.atproto.admin.disableInviteCodes',
  auth: 'admin',
  handler: ({ input, services }) => {
    services.accounts.disableInviteCodes(input.codes ?? [], input.accounts ?? [])
  },
})
