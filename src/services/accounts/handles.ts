// Handle rules: syntax, TLD, service-domain constraints (one label of 3–18 chars, not reserved).
import { InvalidSyntaxError, isValidTld, normalizeAndEnsureValidHandle } from '../../core/syntax/index.ts'
import { invalidInput } from '../errors.ts'

// Names an operator would not want a stranger to hold (a short list in the spirit of the reference's).
const RESERVED = new Set(
  `about abuse account accounts admin administrator api app apps atproto auth bsky blog bluesky cdn contact dev
   docs help helpdesk home info jobs legal login logout mail moderation moderator news noreply no-reply oauth
   official pds plc postmaster press privacy root security settings signup staff status support sysadmin
   system team terms test webmaster www xrpc`.split(/\s+/),
)

export function isServiceDomain(handle: string, domains: string[]): boolean {
  return domains.some((d) => handle.endsWith(d))
}

export function baseNormalizeAndValidate(handle: string): string {
  try {
    return normalizeAndEnsureValidHandle(handle)
  } catch (err) {
    if (err instanceof InvalidSyntaxError) throw invalidInput(err.message, 'InvalidHandle')
    throw err
  }
}

export function ensureServiceConstraints(handle: string, domains: string[], allowReserved = false) {
  const domain = domains.find((d) => handle.endsWith(d)) ?? ''
  const front = handle.slice(0, handle.length - domain.length)
  if (front.includes('.')) throw invalidInput('Invalid characters in handle', 'InvalidHandle')
  if (front.length < 3) throw invalidInput('Handle too short', 'InvalidHandle')
  if (front.length > 18) throw invalidInput('Handle too long', 'InvalidHandle')
  if (!allowReserved && RESERVED.has(front)) throw invalidInput('Reserved handle', 'HandleNotAvailable')
}

/**
 * Normalizes and validates a handle. Off the service domains the handle must resolve to `did`
 * (so account creation, which has no DID yet, needs a service-domain handle).
 */
export async function normalizeAndValidateHandle(
  input: string,
  opts: { domains: string[]; did?: string; allowReserved?: boolean; resolve: (handle: string) => Promise<string | null> },
): Promise<string> {
  const handle = baseNormalizeAndValidate(input)
  if (!isValidTld(handle)) throw invalidInput('Handle TLD is invalid or disallowed', 'InvalidHandle')
  if (isServiceDomain(handle, opts.domains)) {
    ensureServiceConstraints(handle, opts.domains, opts.allowReserved)
    return handle
  }
  if (opts.did === undefined) throw invalidInput('Not a supported handle domain', 'UnsupportedDomain')
  const resolved = await opts.resolve(handle)
  if (resolved !== opts.did) throw invalidInput('External handle did not resolve to DID')
  return handle
}
