// Passkey ceremonies over plain HTTP (no lexicon defines them): JSON in and out, XRPC-style errors.
//   GET  /passkeys                    the caller's passkeys                (full session)
//   POST /passkeys/register/options   creation options for the browser    (full session)
//   POST /passkeys/register           {name, response} → the new passkey  (full session)
//   POST /passkeys/remove             {id}                                 (full session)
//   POST /passkeys/login/options      request options (username-less)
//   POST /passkeys/login              {response} → a session, as createSession returns
// The account app's Security view and sign-in pages will call these from the browser.
import type { Plugin } from './app.ts'
import type { Services } from '../services/types.ts'
import { errorResponse, InternalServerError, InvalidRequestError, AuthRequiredError, toXrpcError } from './errors.ts'
import { callerDid, requireAccount, sessionBody } from '../services/accounts/handler-util.ts'

const MAX_BODY = 64 * 1024

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text()
  if (text.length > MAX_BODY) throw InvalidRequestError('Request body too large')
  try {
    const body = JSON.parse(text || '{}') as unknown
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {}
  throw InvalidRequestError('Expected a JSON object')
}

export function passkeyRoutes(services: () => Services): Plugin {
  const run = (fn: (req: Request, s: Services) => Promise<unknown>) => async (ctx: Record<string, unknown>) => {
    try {
      return Response.json((await fn(ctx.request as Request, services())) ?? {})
    } catch (err) {
      const mapped = toXrpcError(err)
      if (!mapped) services().log.error('passkey route failed', { err: String(err) })
      return errorResponse(mapped ?? InternalServerError())
    }
  }
  const owner = async (req: Request, s: Services) => callerDid(await s.verifyAuth('accessFull', { req, nsid: 'passkeys' }))

  return (app) =>
    app
      .get('/passkeys', run(async (req, s) => ({ passkeys: s.accounts.factors.passkeys.list(await owner(req, s)) })))
      .post('/passkeys/register/options', run(async (req, s) => s.accounts.factors.passkeyRegistrationOptions(await owner(req, s))))
      .post(
        '/passkeys/register',
        run(async (req, s) => {
          const did = await owner(req, s)
          const body = await jsonBody(req)
          if (typeof body.name !== 'string') throw InvalidRequestError('name is required')
          return s.accounts.factors.addPasskey(did, body.name, body.response)
        }),
      )
      .post(
        '/passkeys/remove',
        run(async (req, s) => {
          const did = await owner(req, s)
          const body = await jsonBody(req)
          if (typeof body.id !== 'string') throw InvalidRequestError('id is required')
          await s.accounts.factors.removePasskey(did, body.id)
        }),
      )
      .post('/passkeys/login/options', run((_req, s) => s.accounts.factors.passkeys.authenticationOptions()))
      .post(
        '/passkeys/login',
        run(async (req, s) => {
          const body = await jsonBody(req)
          const did = await s.accounts.factors.passkeys.authenticate(body.response)
          const account = requireAccount(s.accounts, did)
          if (account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
          return sessionBody(s.accounts, account, await s.accounts.manager.createSession(did, null))
        }),
      )
}
