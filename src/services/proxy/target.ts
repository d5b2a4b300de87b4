// Where a proxied call goes: the atproto-proxy header's `<did>#<service>` (resolved from the DID document),
// else the configured default service for the method.
import { isValidDid } from '../../core/syntax/index.ts'
import { invalidInput } from '../errors.ts'
import { getServiceEndpoint, type DidResolver } from '../service-auth/index.ts'
import { defaultServiceFor, type ProxyConfig } from './methods.ts'
import { assertPublicEndpoint, type HostLookup } from './ssrf.ts'

/** `address`: for an endpoint from a DID document (outside dev mode), the checked address to connect to. */
export type ProxyTarget = { url: string; did: string; serviceId?: string; address?: string }
/**
 * The service JWT's audience: the target's bare DID, also when the client named `did#service` (the
 * fragment only picks the endpoint). The reference's pipethrough does the same since its service-auth
 * "phase 1" (a `did#service` aud is refused by services that expect their own DID).
 */
export const targetAud = (t: ProxyTarget) => t.did

export type TargetDeps = {
  config: ProxyConfig & { service: { devMode: boolean } }
  didResolver: DidResolver
  resolveHost?: HostLookup
}

export function parseProxyHeader(value: string): { did: string; serviceId: string } {
  const hash = value.indexOf('#')
  if (hash === 0) throw invalidInput('no did specified in proxy header')
  if (hash === -1 || hash === value.length - 1) throw invalidInput('no service id specified in proxy header')
  if (value.indexOf('#', hash + 1) !== -1) throw invalidInput('invalid proxy header format')
  if (value.includes(' ')) throw invalidInput('proxy header cannot contain spaces')
  const did = value.slice(0, hash)
  if (!isValidDid(did)) throw invalidInput('invalid proxy header format')
  return { did, serviceId: value.slice(hash) }
}

/** A DID's service endpoint, SSRF-checked outside dev mode (it comes from a document anyone can write). */
export async function resolveServiceUrl(deps: TargetDeps, did: string, serviceId: string, type?: string): Promise<{ url: string; address?: string }> {
  let doc
  try {
    doc = await deps.didResolver.resolve(did)
  } catch {
    doc = null
  }
  if (!doc) throw invalidInput('could not resolve proxy did')
  const url = getServiceEndpoint(doc, serviceId, type)
  if (!url) throw invalidInput('could not resolve proxy did service url')
  if (deps.config.service.devMode) return { url }
  return { url, address: await assertPublicEndpoint(url, deps.resolveHost) }
}

export async function resolveProxyTarget(deps: TargetDeps, header: string | null, nsid: string): Promise<ProxyTarget> {
  if (header) {
    const { did, serviceId } = parseProxyHeader(header)
    const appView = deps.config.bskyAppView
    // The configured AppView needs no DID resolution (and may legitimately live on a private network).
    if (appView && did === appView.did && serviceId === '#bsky_appview') return { url: appView.url, did, serviceId }
    return { ...(await resolveServiceUrl(deps, did, serviceId)), did, serviceId }
  }
  const fallback = defaultServiceFor(deps.config, nsid)
  if (fallback) return { url: fallback.url, did: fallback.did, serviceId: `#${fallback.serviceId}` }
  throw invalidInput(`No service configured for ${nsid}`)
}

/** registerPush/unregisterPush: the AppView itself, or another service's #bsky_notif endpoint. */
export async function pushTarget(deps: TargetDeps, serviceDid: string): Promise<ProxyTarget> {
  const appView = deps.config.bskyAppView
  if (appView && appView.did === serviceDid) return { url: appView.url, did: serviceDid }
  try {
    return { ...(await resolveServiceUrl(deps, serviceDid, '#bsky_notif')), did: serviceDid }
  } catch {
    throw invalidInput('Invalid serviceDid.')
  }
}
