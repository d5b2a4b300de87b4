// GET /tls-check?domain=…: the "ask" endpoint of a TLS proxy issuing on-demand certificates (Caddy's
// on_demand_tls). 200 for this server's hostname and for handles of accounts hosted here, so that
// nobody can make the proxy request certificates for arbitrary names pointed at this machine.
import type { Plugin } from '../app.ts'

/** The slice of the account service this needs (services.accounts). */
export type HandleLookup = {
  getAccount(handleOrDid: string, flags?: { includeDeactivated?: boolean; includeTakenDown?: boolean }): { did: string } | null
}

export type TlsCheckOptions = {
  hostname: string
  handleDomains: string[]
  /** Read at request time: the account service may be wired after the plugin. */
  accounts: () => HandleLookup | undefined
}

export function tlsCheckDecision(domain: string | null, opts: TlsCheckOptions): { status: number; body: Record<string, unknown> } {
  if (!domain) return { status: 400, body: { error: 'InvalidRequest', message: 'bad or missing domain query param' } }
  const name = domain.toLowerCase()
  if (name === opts.hostname.toLowerCase()) return { status: 200, body: { success: true } }
  if (!opts.handleDomains.some((suffix) => name.endsWith(suffix.toLowerCase()))) {
    return { status: 404, body: { error: 'NotFound', message: 'handles are not provided on this domain' } }
  }
  // A deactivated account keeps its handle (it may come back); a taken-down one does not get certificates.
  const account = opts.accounts()?.getAccount(name, { includeDeactivated: true })
  if (!account) return { status: 404, body: { error: 'NotFound', message: 'handle not found for this domain' } }
  return { status: 200, body: { success: true } }
}

export function tlsCheckPlugin(opts: TlsCheckOptions): Plugin {
  return (app) =>
    app.get('/tls-check', ({ request }) => {
      const { status, body } = tlsCheckDecision(new URL(request.url).searchParams.get('domain'), opts)
      return Response.json(body, { status })
    })
}
