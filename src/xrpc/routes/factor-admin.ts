// POST /_admin/reset-2fa {"account": did}: the operator's way back in for someone who lost every
// second factor (`pds account reset-2fa`). Admin Basic auth; no lexicon defines this, so it lives
// beside XRPC rather than inside a namespace we do not own.
import type { Plugin } from '../app.ts'
import { isAdmin } from '../auth.ts'
import type { FactorStatus } from '../../services/factors/factor-service.ts'
import { ADMIN, type AuditLog } from '../../services/admin/audit.ts'
import { clientIp } from '../client-ip.ts'

export type FactorReset = {
  getAccount(handleOrDid: string, flags?: { includeDeactivated?: boolean; includeTakenDown?: boolean }): { did: string } | null
  factors: { status(did: string): FactorStatus; resetAll(did: string): Promise<void> }
}

const fail = (status: number, error: string, message: string) => Response.json({ error, message }, { status })

/** `audit`: where the reset is recorded (the operator's audit log); `trustedProxies` to tell the caller's address. */
export function factorAdminPlugin(opts: { adminPassword: string; accounts: () => FactorReset; audit?: AuditLog; trustedProxies?: string[] }): Plugin {
  return (app) =>
    app.post('/_admin/reset-2fa', async ({ request, server }) => {
      if (!isAdmin(request, opts.adminPassword)) return fail(401, 'AuthenticationRequired', 'Admin credentials required')
      const body = (await request.json().catch(() => null)) as { account?: unknown } | null
      if (typeof body?.account !== 'string' || !body.account) return fail(400, 'InvalidRequest', 'account (a DID or handle) is required')
      const accounts = opts.accounts()
      const account = accounts.getAccount(body.account, { includeDeactivated: true, includeTakenDown: true })
      if (!account) return fail(404, 'AccountNotFound', `no account ${body.account}`)
      const removed = accounts.factors.status(account.did)
      await accounts.factors.resetAll(account.did)
      opts.audit?.record(ADMIN, 'reset-2fa', { subject: account.did, ip: clientIp(request, server, opts.trustedProxies ?? []) })
      return Response.json({ did: account.did, removed })
    })
}
