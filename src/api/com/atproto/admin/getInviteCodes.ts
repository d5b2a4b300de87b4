import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<{ sort?: string; limit?: number; cursor?: string }>({
  nsid: 'com.atproto.admin.getInviteCodes',
  auth: 'admin',
  handler: ({ params, services }) => services.accounts.listInviteCodes(params.cursor, params.limit ?? 100, params.sort ?? 'recent'),
})
