// GET /mod → the console (/account/mod). POST /_admin/moderation/enable {"account": handle or DID,
// "labelValues"?: [...]}: makes the account the moderation team lead and sets up its labeler identity
// (`pds moderation enable`). Admin Basic auth; no lexicon defines this, so it lives beside XRPC, as
// /_admin/reset-2fa does. POST /_admin/moderation/rotate-label-key: a new #atproto_label key
// (`pds moderation rotate-label-key`).
import type { Plugin } from '../app.ts'
import { isAdmin } from '../auth.ts'
import type { ModerationService } from '../../services/moderation/index.ts'
import { DomainError } from '../../services/errors.ts'

const fail = (status: number, error: string, message: string) => Response.json({ error, message }, { status })

export function moderationAdminPlugin(opts: { adminPassword: string; moderation: () => ModerationService }): Plugin {
  return (app) =>
    app
      // The moderation console is part of the account app (one sign-in); /mod is its short address.
      .get('/mod', () => new Response(null, { status: 303, headers: { location: '/account/mod' } }))
      .post('/_admin/moderation/enable', async ({ request }) => {
      if (!isAdmin(request, opts.adminPassword)) return fail(401, 'AuthenticationRequired', 'Admin credentials required')
      const body = (await request.json().catch(() => null)) as { account?: unknown; labelValues?: unknown } | null
      if (typeof body?.account !== 'string' || !body.account) return fail(400, 'InvalidRequest', 'account (a handle or DID) is required')
      const labels = body.labelValues
      if (labels !== undefined && !(Array.isArray(labels) && labels.every((v) => typeof v === 'string'))) return fail(400, 'InvalidRequest', 'labelValues must be a list of strings')
      try {
        return Response.json(await opts.moderation().enable(body.account, labels as string[] | undefined))
      } catch (err) {
        if (err instanceof DomainError) return fail(err.kind === 'upstream-failure' ? 502 : 400, err.code ?? 'InvalidRequest', err.message)
        throw err
      }
    })
      .post('/_admin/moderation/rotate-label-key', async ({ request }) => {
        if (!isAdmin(request, opts.adminPassword)) return fail(401, 'AuthenticationRequired', 'Admin credentials required')
        try {
          return Response.json(await opts.moderation().rotateLabelKey())
        } catch (err) {
          if (err instanceof DomainError) return fail(err.kind === 'upstream-failure' ? 502 : 400, err.code ?? 'InvalidRequest', err.message)
          throw err
        }
      })
}
