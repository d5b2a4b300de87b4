// Server-rendered pages for the authorization flow: no external assets, every value escaped, a strict
// CSP with a per-response nonce for the one inline style (and the form_post script).
import { randomBytes } from 'node:crypto'
import type { OAuthClient } from '../../services/oauth/client-metadata.ts'
import type { OAuthAccount } from '../../services/oauth/context.ts'
import { describeScope } from '../../services/oauth/scope-descriptions.ts'

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`)
}
const e = escapeHtml

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,sans-serif;background:#f4f5f7;color:#111}
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.35rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}input[type=text],input[type=password]{width:100%;padding:.7rem;font-size:1rem;border:1px solid #bbb;border-radius:8px}
button{width:100%;padding:.8rem;margin-top:1rem;font-size:1rem;border:0;border-radius:8px;background:#1463ff;color:#fff;cursor:pointer}
button.secondary{background:#e4e6eb;color:#111}.row{display:flex;gap:.5rem}.row form{flex:1}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem .8rem;border-radius:8px}.notice{background:#e8f0fe;color:#123a7a;padding:.6rem .8rem;border-radius:8px}ul{padding-left:1.2rem}li{margin:.35rem 0}
.client{overflow-wrap:anywhere;color:#444;font-size:.9rem}.account{text-align:left;background:#fff;color:#111;border:1px solid #ccc}
.check{display:flex;gap:.5rem;align-items:center;margin-top:.75rem;font-weight:400}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem;overflow-wrap:anywhere}ul.sessions{list-style:none;padding:0}ul.sessions>li{margin:.75rem 0}`

export type Page = { html: string; nonce: string }

/** CSP for our pages; form-action must also allow the client's redirect target (browsers apply it to redirects). */
export function pageCsp(nonce: string, formTargets: string[] = []): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

function layout(title: string, body: string, script = ''): Page {
  const nonce = randomBytes(16).toString('base64')
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="same-origin">
<title>${e(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main>${script ? `<script nonce="${nonce}">${script}</script>` : ''}</body></html>`
  return { html, nonce }
}

const clientName = (c: OAuthClient) => c.metadata.client_name ?? new URL(c.id).host
const clientLine = (c: OAuthClient) =>
  `<p class="client">${e(clientName(c))} (${e(c.isLoopback ? 'development app on this computer' : new URL(c.id).host)})</p>`

export type FormContext = { action: string; requestUri: string; csrf: string }
const hidden = (f: FormContext) =>
  `<input type="hidden" name="request_uri" value="${e(f.requestUri)}"><input type="hidden" name="csrf_token" value="${e(f.csrf)}">`

/** prompt=create: accounts are not created on these pages (createAccount needs a handle, invite and PLC setup). */
export const SIGN_UP_NOTICE =
  'Creating an account is not available on this page. Create your account in an app that supports it, choosing this server as your hosting provider, then come back and sign in.'

/** The sign-in fields, shared by the authorization sign-in and the account page. */
const signInFields = (loginHint = '') => `<label for="identifier">Handle or email</label>
<input type="text" id="identifier" name="identifier" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${e(loginHint)}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<label class="check"><input type="checkbox" name="remember" value="1" checked> Remember this account on this device</label>
<button type="submit">Sign in</button>`

export function loginPage(opts: { client: OAuthClient; form: FormContext; loginHint?: string; error?: string; notice?: string }): Page {
  const { client, form } = opts
  return layout(
    'Sign in',
    `<div class="card"><h1>Sign in</h1>${clientLine(client)}<p>wants to access your account.</p>
${opts.notice ? `<p class="notice" role="status">${e(opts.notice)}</p>` : ''}
${opts.error ? `<p class="error" role="alert">${e(opts.error)}</p>` : ''}
<form method="post" action="${e(form.action)}/sign-in">${hidden(form)}
${signInFields(opts.loginHint)}</form>
<form method="post" action="${e(form.action)}/reject">${hidden(form)}<button class="secondary" type="submit">Cancel</button></form></div>`,
  )
}

export function chooserPage(opts: { client: OAuthClient; form: FormContext; accounts: OAuthAccount[] }): Page {
  const { client, form } = opts
  const buttons = opts.accounts
    .map(
      (a) => `<form method="post" action="${e(form.action)}/select">${hidden(form)}<input type="hidden" name="did" value="${e(a.did)}">
<button class="account" type="submit">@${e(a.handle ?? a.did)}</button></form>`,
    )
    .join('')
  return layout(
    'Choose an account',
    `<div class="card"><h1>Choose an account</h1>${clientLine(client)}<p>wants to access one of your accounts.</p>${buttons}
<form method="get" action="${e(form.action)}"><input type="hidden" name="request_uri" value="${e(form.requestUri)}">
<input type="hidden" name="client_id" value="${e(client.id)}"><input type="hidden" name="prompt" value="login">
<button class="secondary" type="submit">Use another account</button></form></div>`,
  )
}

export function consentPage(opts: {
  client: OAuthClient
  form: FormContext
  account: OAuthAccount
  scopes: string[]
  /** How a scope is put in words (include: scopes need the permission sets). */
  describe?: (scope: string) => string
}): Page {
  const { client, form, account } = opts
  const describe = opts.describe ?? ((s: string) => describeScope(s))
  const items = opts.scopes.map((s) => `<li>${e(describe(s))}</li>`).join('')
  return layout(
    'Authorize access',
    `<div class="card"><h1>Authorize access</h1>${clientLine(client)}
<p>wants to act as <strong>@${e(account.handle ?? account.did)}</strong>. If you allow it, it will be able to:</p><ul>${items}</ul>
<div class="row"><form method="post" action="${e(form.action)}/reject">${hidden(form)}<button class="secondary" type="submit">Deny</button></form>
<form method="post" action="${e(form.action)}/accept">${hidden(form)}<input type="hidden" name="did" value="${e(account.did)}"><button type="submit">Allow</button></form></div></div>`,
  )
}

/** Account page, signed out: the same sign-in fields, posting to the account page. */
export function accountLoginPage(opts: { action: string; csrf: string; loginHint?: string; error?: string }): Page {
  return layout(
    'Your connected apps',
    `<div class="card"><h1>Your connected apps</h1><p>Sign in to see the apps that can use your account.</p>
${opts.error ? `<p class="error" role="alert">${e(opts.error)}</p>` : ''}
<form method="post" action="${e(opts.action)}/sign-in"><input type="hidden" name="csrf_token" value="${e(opts.csrf)}">
${signInFields(opts.loginHint)}</form></div>`,
  )
}

export type AccountSessionView = { id: string; clientName: string; clientHost: string; scopes: string[]; createdAt: number; lastUsedAt: number }
export type AccountView = { account: OAuthAccount; sessions: AccountSessionView[] }

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'

/** Account page, signed in: each account's OAuth sessions with what they may do, and a Revoke button each. */
export function accountSessionsPage(opts: { action: string; csrf: string; accounts: AccountView[]; notice?: string }): Page {
  const session = (did: string, s: AccountSessionView) => `<li class="card"><strong>${e(s.clientName)}</strong>
<p class="client">${e(s.clientHost)}</p><p>Can:</p><ul>${s.scopes.map((x) => `<li>${e(x)}</li>`).join('')}</ul>
<p class="client">Signed in ${e(when(s.createdAt))} · last used ${e(when(s.lastUsedAt))}</p>
<form method="post" action="${e(opts.action)}/revoke"><input type="hidden" name="csrf_token" value="${e(opts.csrf)}">
<input type="hidden" name="did" value="${e(did)}"><input type="hidden" name="session_id" value="${e(s.id)}">
<button class="secondary" type="submit">Revoke</button></form></li>`
  const accounts = opts.accounts
    .map(({ account, sessions }) => `<h2>@${e(account.handle ?? account.did)}</h2>${
      sessions.length ? `<ul class="sessions">${sessions.map((s) => session(account.did, s)).join('')}</ul>` : '<p>No apps are connected to this account.</p>'
    }`)
    .join('')
  return layout(
    'Your connected apps',
    `<h1>Your connected apps</h1>${opts.notice ? `<p class="notice" role="status">${e(opts.notice)}</p>` : ''}${accounts}`,
  )
}

export function errorPage(title: string, message: string): Page {
  return layout(title, `<div class="card"><h1>${e(title)}</h1><p class="error" role="alert">${e(message)}</p></div>`)
}

/** response_mode=form_post: a page that posts the response to the client, with a button when scripts are off. */
export function formPostPage(redirectUri: string, params: Record<string, string>): Page {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`)
    .join('')
  return layout(
    'Returning to the app',
    `<form method="post" action="${e(redirectUri)}" id="response">${inputs}<button type="submit">Continue</button></form>`,
    "document.getElementById('response').submit()",
  )
}
