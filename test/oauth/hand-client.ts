// A minimal OAuth client written by hand on jose (PKCE, PAR, DPoP proofs with nonces), to drive the
// real server's OAuth flow end to end without a browser.
import * as jose from 'jose'
import { createHash, randomBytes } from 'node:crypto'
import { newK256Key, signEs256k } from './es256k-signer.ts'

export const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url')

/** An ES256 key on WebCrypto, or (secp256k1) a raw secret key signed with @noble/curves. */
export type DpopKey = { privateKey: CryptoKey; jwk: jose.JWK; jkt: string } | { secp256k1: Uint8Array; jwk: jose.JWK; jkt: string }

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = await jose.exportJWK(publicKey)
  return { privateKey: privateKey as CryptoKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') }
}

export type ProofClaims = { htm: string; htu: string; nonce?: string; ath?: string; iat?: number; jti?: string }

export function dpopProof(key: DpopKey, c: ProofClaims): Promise<string> {
  const payload: Record<string, unknown> = { htm: c.htm, htu: c.htu, jti: c.jti ?? b64url(randomBytes(16)), iat: c.iat ?? Math.floor(Date.now() / 1000) }
  if (c.nonce !== undefined) payload.nonce = c.nonce
  if (c.ath !== undefined) payload.ath = c.ath
  if ('secp256k1' in key) return Promise.resolve(signEs256k(key.secp256k1, { typ: 'dpop+jwt', jwk: key.jwk }, payload))
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk }).sign(key.privateKey)
}

export async function newK256DpopKey(): Promise<DpopKey> {
  const { secretKey, jwk } = newK256Key()
  return { secp256k1: secretKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') }
}

export const sha256 = (s: string) => b64url(createHash('sha256').update(s).digest())

export function pkce() {
  const verifier = b64url(randomBytes(32))
  return { verifier, challenge: sha256(verifier) }
}

export const loopbackClientId = (redirectUri: string, scope: string) =>
  `http://localhost?redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}`

/** Talks to one server: `base` is where requests go, `issuer` what proofs name (the public URL). */
export class HandClient {
  nonce: string | undefined
  constructor(
    readonly base: string,
    readonly issuer: string,
    public key: DpopKey,
  ) {}

  /** POSTs a form with a DPoP proof; on use_dpop_nonce retries once with the server's nonce. */
  async post(path: string, form: Record<string, string>, opts: { proof?: (nonce?: string) => Promise<string>; retry?: boolean } = {}) {
    const send = async () => {
      const proof = opts.proof ? await opts.proof(this.nonce) : await dpopProof(this.key, { htm: 'POST', htu: this.issuer + path, nonce: this.nonce })
      const res = await fetch(this.base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams(form),
      })
      const nonce = res.headers.get('dpop-nonce')
      if (nonce) this.nonce = nonce
      const body = res.status === 200 || res.headers.get('content-type')?.includes('json') ? await res.json().catch(() => null) : null
      return { res, body: body as any }
    }
    let out = await send()
    if (opts.retry !== false && out.body?.error === 'use_dpop_nonce') out = await send()
    return out
  }

  async par(params: Record<string, string>) {
    return this.post('/oauth/par', { response_type: 'code', code_challenge_method: 'S256', ...params })
  }

  /** A resource request with the access token and a proof carrying ath (one nonce retry). */
  async resource(path: string, accessToken: string, init: { method?: string; body?: unknown; key?: DpopKey } = {}) {
    const method = init.method ?? 'GET'
    const send = async () => {
      const proof = await dpopProof(init.key ?? this.key, { htm: method, htu: this.issuer + path.split('?')[0], nonce: this.nonce, ath: sha256(accessToken) })
      const res = await fetch(this.base + path, {
        method,
        headers: { authorization: `DPoP ${accessToken}`, dpop: proof, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        body: init.body ? JSON.stringify(init.body) : undefined,
      })
      const nonce = res.headers.get('dpop-nonce')
      if (nonce) this.nonce = nonce
      return res
    }
    let res = await send()
    if (res.status === 401 && res.headers.get('www-authenticate')?.includes('use_dpop_nonce')) res = await send()
    return res
  }
}

/** The browser: keeps cookies, reads the CSRF token from pages, follows the forms. */
export class Browser {
  cookies = new Map<string, string>()
  constructor(readonly base: string) {}

  private store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = pair!.indexOf('=')
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1))
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(pathAndQuery: string) {
    const res = await fetch(this.base + pathAndQuery, { headers: { cookie: this.cookieHeader() }, redirect: 'manual' })
    this.store(res)
    return { res, html: await res.text() }
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
      body: new URLSearchParams(form),
      redirect: 'manual',
    })
    this.store(res)
    return { res, html: await res.text() }
  }
}

export const csrfOf = (html: string) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? ''
