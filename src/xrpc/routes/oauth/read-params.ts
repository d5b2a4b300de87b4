// The body of an OAuth endpoint's request (PAR, token, revoke) as a flat string record.
import { OAuthError } from '../../../services/oauth/errors.ts'
import { OAuthBodyTooLarge } from '../../oauth-errors.ts'

/** Largest body any OAuth endpoint accepts: PAR requests and client assertions are small. */
export const MAX_BODY_BYTES = 32 * 1024

/** Reads an application/x-www-form-urlencoded or JSON body as a flat string record. */
export async function readParams(req: Request): Promise<Record<string, string>> {
  const length = Number(req.headers.get('content-length') ?? '0')
  if (length > MAX_BODY_BYTES) throw new OAuthBodyTooLarge()
  const text = await req.text()
  if (text.length > MAX_BODY_BYTES) throw new OAuthBodyTooLarge()
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json') {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new OAuthError('invalid_request', 'Invalid JSON body')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OAuthError('invalid_request', 'Body must be an object')
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string') out[k] = v
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v)
      else throw new OAuthError('invalid_request', `Invalid value for ${k}`)
    }
    return out
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && text === '')) {
    const out: Record<string, string> = {}
    for (const [k, v] of new URLSearchParams(text)) {
      if (k in out) throw new OAuthError('invalid_request', `Duplicate parameter ${k}`)
      out[k] = v
    }
    return out
  }
  throw new OAuthError('invalid_request', 'Unsupported content type')
}
