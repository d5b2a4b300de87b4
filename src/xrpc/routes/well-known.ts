// /.well-known/atproto-did (handle → DID by Host header) and /.well-known/did.json (a hosted did:web
// account's document by Host header, else the service's did:web).
import type { Plugin } from '../app.ts'
import type { AccountService } from '../../services/accounts/account-service.ts'

export function wellKnownPlugin(accounts: AccountService): Plugin {
  const { config } = accounts.ctx
  return (app) => {
    app.get('/.well-known/atproto-did', (c) => {
      const request = c.request as Request
      const host = (request.headers.get('host') ?? '').split(':')[0]!.toLowerCase()
      const account = host ? accounts.getAccount(host) : null
      if (!account) return new Response('User not found', { status: 404, headers: { 'content-type': 'text/plain' } })
      return new Response(account.did, { headers: { 'content-type': 'text/plain' } })
    })
    app.get('/.well-known/did.json', (c) => {
      // A hosted did:web account's document, by the name it was asked for (did:web:<handle>).
      const host = ((c.request as Request).headers.get('host') ?? '').split(':')[0]!.toLowerCase()
      const hosted = host && host !== config.service.hostname ? accounts.hostedDidWebDocument(host) : null
      if (hosted) return Response.json(hosted)
      if (config.service.did !== `did:web:${config.service.hostname}`) return new Response('Not Found', { status: 404 })
      return Response.json({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: config.service.did,
        service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: config.service.publicUrl }],
      })
    })
  }
}
