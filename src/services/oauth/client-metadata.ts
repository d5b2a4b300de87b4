// Clients identify themselves by the URL of their metadata document (atproto OAuth "client_id metadata
// document"), or as a development client with the loopback `http://localhost` form. Fetched, validated, cached.
import type * as jose from 'jose'
import { z } from 'zod'
import { CLIENT_METADATA_CACHE_TTL, CLIENT_METADATA_MAX_BYTES, CLIENT_METADATA_TIMEOUT } from './constants.ts'
import { OAuthError, invalidClientId, invalidClientMetadata } from './errors.ts'
import { safeFetchJson, SafeFetchError } from './safe-fetch.ts'
import { scopeSet } from './scopes.ts'

const clientMetadataSchema = z.object({
  client_id: z.string(),
  client_name: z.string().max(256).optional(),
  client_uri: z.url().optional(),
  logo_uri: z.url().optional(),
  tos_uri: z.url().optional(),
  policy_uri: z.url().optional(),
  redirect_uris: z.array(z.string()).min(1).max(20),
  grant_types: z.array(z.string()).default(['authorization_code']),
  response_types: z.array(z.string()).default(['code']),
  scope: z.string().max(2048),
  token_endpoint_auth_method: z.enum(['none', 'private_key_jwt']).default('none'),
  token_endpoint_auth_signing_alg: z.string().optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(20) }).optional(),
  jwks_uri: z.url().optional(),
  /** RFC 9101 request objects: the one algorithm the client signs them with, or "none" for unsigned ones. */
  request_object_signing_alg: z.string().optional(),
  application_type: z.enum(['web', 'native']).default('web'),
  dpop_bound_access_tokens: z.boolean().optional(),
})

export type ClientMetadata = z.infer<typeof clientMetadataSchema>

export type OAuthClient = {
  id: string
  metadata: ClientMetadata
  /** A development client (`http://localhost?...`): no document, loopback redirects only. */
  isLoopback: boolean
  jwks?: jose.JSONWebKeySet
}

const LOOPBACK_REDIRECT_HOSTS = new Set(['127.0.0.1', '[::1]'])

/** The loopback development client: its redirect URIs and scope come from the client_id's query. */
export function loopbackClient(clientId: string): OAuthClient {
  const url = new URL(clientId)
  if (url.protocol !== 'http:' || url.hostname !== 'localhost' || url.port || (url.pathname !== '/' && url.pathname !== '') || url.hash) {
    throw invalidClientMetadata('Loopback client_id must be http://localhost with an optional query')
  }
  for (const key of url.searchParams.keys()) {
    if (key !== 'redirect_uri' && key !== 'scope') throw invalidClientMetadata(`Unexpected ${key} in loopback client_id`)
  }
  const redirectUris = url.searchParams.getAll('redirect_uri')
  const scopes = url.searchParams.getAll('scope')
  if (scopes.length > 1) throw invalidClientMetadata('Only one scope allowed in loopback client_id')
  const metadata = clientMetadataSchema.parse({
    client_id: clientId,
    client_name: 'Loopback client',
    redirect_uris: redirectUris.length ? redirectUris : ['http://127.0.0.1/', 'http://[::1]/'],
    scope: scopes[0] ?? 'atproto',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    dpop_bound_access_tokens: true,
  })
  for (const uri of metadata.redirect_uris) {
    const u = URL.canParse(uri) ? new URL(uri) : null
    if (!u || u.protocol !== 'http:' || !LOOPBACK_REDIRECT_HOSTS.has(u.hostname)) {
      throw invalidClientMetadata('Loopback clients may only redirect to http://127.0.0.1 or http://[::1]')
    }
  }
  return { id: clientId, metadata, isLoopback: true }
}

export function isLoopbackClientId(clientId: string): boolean {
  return clientId === 'http://localhost' || clientId.startsWith('http://localhost?') || clientId.startsWith('http://localhost/')
}

/** Checks a fetched document against the atproto OAuth client rules. */
export function validateClientMetadata(clientId: string, raw: unknown, devMode: boolean): ClientMetadata {
  const parsed = clientMetadataSchema.safeParse(raw)
  if (!parsed.success) throw invalidClientMetadata(`Invalid client metadata: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`)
  const m = parsed.data
  if (m.client_id !== clientId) throw invalidClientMetadata('client_id in the document does not match the URL it was fetched from')
  if (!scopeSet(m.scope).has('atproto')) throw invalidClientMetadata('Client scope must include "atproto"')
  if (!m.response_types.includes('code')) throw invalidClientMetadata('response_types must include "code"')
  if (!m.grant_types.includes('authorization_code')) throw invalidClientMetadata('grant_types must include "authorization_code"')
  if (m.grant_types.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) throw invalidClientMetadata('Unsupported grant type')
  if (m.dpop_bound_access_tokens !== true) throw invalidClientMetadata('dpop_bound_access_tokens must be true')
  if (m.token_endpoint_auth_method === 'private_key_jwt') {
    if (!m.jwks && !m.jwks_uri) throw invalidClientMetadata('private_key_jwt requires jwks or jwks_uri')
    if (m.jwks && m.jwks_uri) throw invalidClientMetadata('jwks and jwks_uri are mutually exclusive')
    if (!m.token_endpoint_auth_signing_alg) throw invalidClientMetadata('token_endpoint_auth_signing_alg is required for private_key_jwt')
  }
  const clientHost = new URL(clientId).hostname
  for (const uri of m.redirect_uris) {
    if (!URL.canParse(uri)) throw invalidClientMetadata(`Invalid redirect_uri ${uri}`)
    const u = new URL(uri)
    if (u.hash) throw invalidClientMetadata('redirect_uri must not have a fragment')
    if (u.protocol === 'https:') continue
    if (u.protocol === 'http:') {
      // Loopback IPs are for native apps (RFC 8252); dev mode lets test clients redirect to loopback too.
      if (LOOPBACK_REDIRECT_HOSTS.has(u.hostname) && (m.application_type === 'native' || devMode)) continue
      if (devMode && u.hostname === 'localhost') continue
      throw invalidClientMetadata('http redirect_uris are only allowed for loopback IPs')
    }
    // Private-use scheme: the reversed client_id host, for native apps (RFC 8252 §7.1).
    const expected = clientHost.split('.').reverse().join('.') + ':'
    if (m.application_type !== 'native' || u.protocol !== expected) throw invalidClientMetadata(`Invalid redirect_uri scheme ${u.protocol}`)
  }
  return m
}

export type ClientStoreOptions = { devMode: boolean; fetchJson?: (url: string) => Promise<unknown> }

export class ClientStore {
  private cache = new Map<string, { client: OAuthClient; expiresAt: number }>()
  private readonly fetchJson: (url: string) => Promise<unknown>

  constructor(private readonly opts: ClientStoreOptions) {
    this.fetchJson =
      opts.fetchJson ??
      ((url) => safeFetchJson(url, { devMode: opts.devMode, maxBytes: CLIENT_METADATA_MAX_BYTES, timeoutMs: CLIENT_METADATA_TIMEOUT }))
  }

  /**
   * Resolves a client_id into validated client metadata. As the reference: invalid_client_metadata when
   * the id is not a client id or its document cannot be had or used, invalid_client_id for a
   * document URL on a local-only name (.test, .local, .invalid, .example, one label).
   */
  async getClient(clientId: string): Promise<OAuthClient> {
    const invalidId = () => invalidClientMetadata(`Invalid client ID "${String(clientId).slice(0, 2048)}"`)
    if (typeof clientId !== 'string' || !clientId || clientId.length > 2048) throw invalidId()
    if (!URL.canParse(clientId)) throw invalidId()
    if (isLoopbackClientId(clientId)) return loopbackClient(clientId)
    const cached = this.cache.get(clientId)
    if (cached && cached.expiresAt > Date.now()) return cached.client
    const url = new URL(clientId)
    const devHttp = this.opts.devMode && url.protocol === 'http:'
    if (url.protocol !== 'https:' && !devHttp) throw invalidId()
    if (url.hash || url.username || url.password) throw invalidId()
    if (url.pathname === '/' && !devHttp) throw invalidId()
    if (!devHttp && isLocalHostname(url.hostname)) throw invalidClientId("The client_id's TLD must not be a local hostname")
    let raw: unknown
    try {
      raw = await this.fetchJson(clientId)
    } catch (err) {
      const msg = err instanceof SafeFetchError ? err.message : 'fetch failed'
      throw invalidClientMetadata(`Unable to obtain client metadata for "${clientId}": ${msg}`)
    }
    let metadata: ClientMetadata
    try {
      metadata = validateClientMetadata(clientId, raw, this.opts.devMode)
    } catch (err) {
      throw err instanceof OAuthError ? err : invalidClientMetadata('Invalid client metadata')
    }
    const jwks = metadata.jwks ?? (metadata.jwks_uri ? await this.fetchJwks(metadata.jwks_uri) : undefined)
    const client: OAuthClient = { id: clientId, metadata, isLoopback: false, jwks: jwks as jose.JSONWebKeySet | undefined }
    if (this.cache.size > 1000) this.cache.clear()
    this.cache.set(clientId, { client, expiresAt: Date.now() + CLIENT_METADATA_CACHE_TTL })
    return client
  }

  private async fetchJwks(uri: string) {
    try {
      const raw = (await this.fetchJson(uri)) as { keys?: unknown }
      if (!raw || !Array.isArray(raw.keys)) throw new Error('no keys')
      return raw
    } catch {
      throw invalidClientMetadata(`Unable to obtain jwks from "${uri}"`)
    }
  }
}

/** A host name only resolvable on a local network or not at all (@atproto/oauth-types' isLocalHostname). */
function isLocalHostname(hostname: string): boolean {
  const labels = hostname.split('.')
  if (labels.length < 2) return true
  return ['test', 'local', 'localhost', 'invalid', 'example'].includes(labels.at(-1)!.toLowerCase())
}
