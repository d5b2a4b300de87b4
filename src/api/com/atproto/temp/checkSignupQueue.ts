// com.atproto.temp.checkSignupQueue: this server has no signup queue (no entryway in front), so every
// account is activated, as the reference answers without an entryway. Session tokens only.
import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler({
  nsid: 'com.atproto.temp.checkSignupQueue',
  auth: 'accessDeactivated',
  handler: () => ({ activated: true }),
})
