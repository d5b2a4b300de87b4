// Everything the OAuth endpoints share, built once by createOAuthProvider.
import type { Logger } from '../../logger.ts'
import type { ClientStore } from './client-metadata.ts'
import type { DpopVerifier } from './dpop.ts'
import type { PermissionSetSource } from './permission-sets.ts'
import type { OAuthStore } from '../../storage/oauth/store.ts'

/** A pending authorization request as the store keeps it (the pages read it through the context). */
export type { RequestRow } from '../../storage/oauth/store.ts'

export type OAuthAccount = { did: string; handle: string | null }

/**
 * What OAuth needs from the accounts service. Written against an interface so that the provider does
 * not depend on how accounts are stored; src/main.ts adapts the accounts service to it.
 */
export type OAuthAccountPort = {
  /** Checks a handle, DID or email with its password; null when they do not match an active account. */
  authenticate(identifier: string, password: string): Promise<OAuthAccount | null>
  /** Why a password cannot sign this identifier in, when the person should be told (a passkey-only account). */
  passwordProblem?(identifier: string): string | null
  /**
   * After a right password: the account's second factor (authenticator, backup or emailed code), or a
   * browser trusted after one (`browser.trustedTokens`). `problem`: what to tell the person (without a
   * code, an emailed code may just have been sent). `trustToken`: a new token for the browser, when a
   * code was used and the person asked to remember the browser.
   */
  secondFactor(
    did: string,
    code: string | undefined,
    browser: { ip: string; userAgent: string | null; trustedTokens: string[]; remember: boolean },
  ): Promise<{ problem: string } | { trustToken?: { token: string; maxAgeSeconds: number } }>
  /** A fresh single-use challenge for a username-less passkey sign-in (WebAuthn request options). */
  passkeyOptions(): Promise<unknown>
  /** The active account whose passkey answered one of our challenges, or what to tell the person. */
  passkeySignIn(response: unknown): Promise<OAuthAccount | string>
  /** After a complete sign-in on the authorization page: "a new sign-in" alerts. */
  signedIn?(did: string, browser: { ip: string; userAgent: string | null }): void
  /** An active (not deactivated, not taken down) account, or null. */
  getAccount(handleOrDid: string): OAuthAccount | null
}

export type OAuthContext = {
  /** The authorization server's issuer identifier: the public URL, no trailing slash. */
  issuer: string
  /** The `aud` of access tokens: this PDS's DID. */
  serviceDid: string
  devMode: boolean
  store: OAuthStore
  clients: ClientStore
  dpop: DpopVerifier
  accounts: OAuthAccountPort
  accessTokenKey: Uint8Array
  /** Lexicon permission sets for include: scopes (the bundled lexicons only). */
  permissionSets: PermissionSetSource
  log: Logger
}

/** A call to a token-side endpoint (PAR, token), as the edge read it from the HTTP request. */
export type OAuthEndpointCall = {
  /** The form or JSON body, one string per parameter. */
  params: Record<string, string>
  /** The DPoP header, null when the request had none. */
  dpop: string | null
  method: string
  /** The URL the request reached (its path names the endpoint a DPoP proof's htu must match). */
  url: string
}

export const endpoint = (ctx: OAuthContext, path: string) => `${ctx.issuer}${path}`
