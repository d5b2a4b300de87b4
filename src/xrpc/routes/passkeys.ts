// Passkey ceremonies over plain HTTP (no lexicon defines them): JSON in and out, XRPC-style errors.
//   GET  /passkeys                    the caller's passkeys                (full session)
//   POST /passkeys/register/options   creation options for the browser    (full session)
//   POST /passkeys/register           {name, response} → the new passkey  (full session)
//   POST /passkeys/remove             {id}                                 (full session)
//   POST /passkeys/login/options      request options (username-less)
//   POST /passkeys/login              {response} → a session, as createSession returns
// The account app and the OAuth sign-in page use their own form routes (src/web); these serve other clients.
import type { Plugin } from '../app.ts'
import type { Services } from '../services.ts'
import { errorResponse, InternalServerError, InvalidRequestError, AuthRequiredError } from '../errors.ts'
import { toXrpcError } from '../error-mapper.ts'
import { callerDid } from '../auth.ts'
import { clientIp } from '../client-ip.ts'
import type { RateLimitRule } from '../rate-limit.ts'
import type { HandlerContext } from '../handler.ts'
import type { AccountView } from '../../services/accounts/account-manager.ts'

const MAX_BODY = 64 * 1024
const MINUTE = 60_000

/** Per IP, as createSession's: sign-in ceremonies and their challenges (kept in memory) are bounded. */
const RATE: Record<'manage' | 'signIn', RateLimitRule[]> = {
  manage: [{ name: 'passkeys-manage', durationMs: 5 * MINUTE, points: 100 }],
  signIn: [
    { name: 'passkeys-sign-in', durationMs: 5 * MINUTE, points: 30 },
    { name: 'passkeys-sign-in-day', durationMs: 24 * 60 * MINUTE, points: 300 },
  ],
}
type PeerSource = Parameters<typeof clientIp>[1]

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text()
  if (text.length > MAX_BODY) throw InvalidRequestError('Request body too large')
  try {
    const body = JSON.parse(text || '{}') as unknown
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {}
  throw InvalidRequestError('Expected a JSON object')
}

/** The createSession body for an account (src/api/_util/accounts.ts, passed in: xrpc does not import api). */
export type SessionBodyOf = (accounts: Services['accounts'], account: AccountView, tokens: { accessJwt: string; refreshJwt: string }) => Promise<unknown>

export function passkeyRoutes(services: () => Services, sessionBody: SessionBodyOf): Plugin {
  const run = (rules: RateLimitRule[], fn: (req: Request, s: Services, ip: string) => Promise<unknown>) => async (ctx: Record<string, unknown>) => {
    try {
      const req = ctx.request as Request
      const s = services()
      const ip = clientIp(req, ctx.server as PeerSource, s.config.rateLimits.trustedProxies)
      if (s.rateLimiter.enabled && !s.rateLimiter.isBypassed(req, ip)) {
        s.rateLimiter.consume(rules, { nsid: 'passkeys', params: {}, input: undefined, auth: { type: 'none' }, req, ip } as unknown as HandlerContext)
      }
      return Response.json((await fn(req, s, ip)) ?? {})
    } catch (err) {
      const mapped = toXrpcError(err)
      if (!mapped) services().log.error('passkey route failed', { err: String(err) })
      return errorResponse(mapped ?? InternalServerError())
    }
  }
  const owner = async (req: Request, s: Services) => callerDid(await s.verifyAuth('accessFull', { req, nsid: 'passkeys' }))

  return (app) =>
    app
      .get('/passkeys', run(RATE.manage, async (req, s) => ({ passkeys: s.accounts.factors.passkeys.list(await owner(req, s)) })))
      .post('/passkeys/register/options', run(RATE.manage, async (req, s) => s.accounts.factors.passkeyRegistrationOptions(await owner(req, s))))
      .post(
        '/passkeys/register',
        run(RATE.manage, async (req, s) => {
          const did = await owner(req, s)
          const body = await jsonBody(req)
          if (typeof body.name !== 'string') throw InvalidRequestError('name is required')
          return s.accounts.factors.addPasskey(did, body.name, body.response)
        }),
      )
      .post(
        '/passkeys/remove',
        run(RATE.manage, async (req, s) => {
          const did = await owner(req, s)
          const body = await jsonBody(req)
          if (typeof body.id !== 'string') throw InvalidRequestError('id is required')
          await s.accounts.factors.removePasskey(did, body.id)
        }),
      )
      .post('/passkeys/login/options', run(RATE.signIn, (_req, s) => s.accounts.factors.passkeys.authenticationOptions()))
      .post(
        '/passkeys/login',
        run(RATE.signIn, async (req, s, ip) => {
          const body = await jsonBody(req)
          const did = await s.accounts.factors.signInWithPasskey(body.response)
          const account = s.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })
          if (!account) throw InvalidRequestError('This passkey\'s account no longer exists.')
          if (account.takedownRef) throw AuthRequiredError('Account has been taken down', 'AccountTakedown')
          const device = { ip, userAgent: req.headers.get('user-agent') }
          const tokens = await s.accounts.createSession(did, null, device)
          // As createSession: a sign-in from a device the account has not used tells its holder.
          s.accounts.signIns.signedIn(did, device, 'passkey')
          return sessionBody(s.accounts, account, tokens)
        }),
      )
}
