// Pages as HTTP responses: the JSX runtime (./jsx/jsx-runtime.ts) escapes every interpolated value (text
// and attributes), so a page is built from JSX and never from concatenated HTML. Each response gets a
// fresh nonce for its one inline stylesheet and script, and a CSP that allows nothing else.
import { randomBytes } from 'node:crypto'
import type { Html } from './jsx/jsx-runtime.ts'

/** default-src 'none': no external (or any other) asset; images only from here (blob previews) or data: URLs. */
export function pageCsp(nonce: string, formTargets: string[] = []): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    // The client script's own calls (the sign-up handle check) go to this server only.
    "connect-src 'self'",
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

export type PageInit = { status?: number; cookies?: string[]; formTargets?: string[] }

/** Renders `page(nonce)` as a complete HTML response with the security headers every page carries. */
export function htmlResponse(page: (nonce: string) => Html, init: PageInit = {}): Response {
  const nonce = randomBytes(16).toString('base64url')
  const body = '<!doctype html>' + page(nonce).value
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': pageCsp(nonce, init.formTargets),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts.
    'Referrer-Policy': 'same-origin',
  })
  for (const c of init.cookies ?? []) headers.append('Set-Cookie', c)
  return new Response(body, { status: init.status ?? 200, headers })
}

/** 303 See Other (the answer to a form post), never cached. */
export function seeOther(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store' })
  for (const c of cookies) headers.append('Set-Cookie', c)
  return new Response(null, { status: 303, headers })
}
