// Reports go to the bundled moderation service when it is the target (README "Moderation"): our users'
// reports when no report service is configured or when they name the team, and other servers' users'
// reports forwarded with a service JWT addressed to the team. Otherwise, as before: the atproto-proxy
// service if named, else the configured report service.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { accessCallerDid } from '../../../../xrpc/auth.ts'
import { callJson } from '../../../../services/proxy/index.ts'
import { proxyCall } from '../../../../xrpc/proxy-call.ts'
import { callingAccount, isServiceJwtCall } from '../../../_util/ozone.ts'
import type { Services } from '../../../../xrpc/services.ts'

type Input = { reasonType: string; reason?: string; subject: unknown; modTool?: unknown }

/** Ours to store: the team is named, or the call is a service JWT (its audience is checked), or no report service is set. */
function reportsStayHere(services: Services, req: Request): boolean {
  const team = services.moderation.teamDid()
  if (!team) return false
  const header = req.headers.get('atproto-proxy')
  if (header) return header.split('#')[0] === team
  return isServiceJwtCall(req) || !services.config.moderation.reportServiceSet
}

export default defineHandler<unknown, Input>({
  nsid: 'com.atproto.moderation.createReport',
  auth: (req) => (isServiceJwtCall(req) ? 'none' : 'access'), // a session (ours), or a service JWT for the team (checked below)
  handler: async (ctx) => {
    const { input, req, services, nsid } = ctx
    if (reportsStayHere(services, req)) return services.moderation.createReport(input, await callingAccount(ctx))
    const did = accessCallerDid(ctx.auth)
    const call = proxyCall(req, nsid)
    const target = await services.proxy.resolveTarget(call)
    return (await callJson(services.proxy, { target, nsid, iss: did, body: input, from: call.headers })) as Record<string, unknown>
  },
})
