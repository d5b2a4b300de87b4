// Push registration goes to the AppView, or to the notification service the client names by DID (#bsky_notif).
import { defineHandler } from '../../../../xrpc/handler.ts'
import { accessCallerDid } from '../../../../xrpc/auth.ts'
import { callJson } from '../../../../services/proxy/index.ts'

export default defineHandler<unknown, { serviceDid: string }>({
  nsid: 'app.bsky.notification.registerPush',
  auth: 'access',
  handler: async ({ input, auth, services, nsid }) => {
    const did = accessCallerDid(auth)
    const target = await services.proxy.pushTarget(input.serviceDid)
    await callJson(services.proxy, { target, nsid, iss: did, body: input })
  },
})
