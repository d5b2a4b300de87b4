/** @jsxImportSource ../ui/jsx */
// The authorization flow's pages (sign in, choose an account, consent, errors, form_post) on the shared UI
// layer (src/web/ui): the same layout, stylesheet and escaping as the account app; a strict CSP with a
// per-response nonce for the inline stylesheet and scripts.
import { randomBytes } from 'node:crypto'
import type { OAuthClient } from '../../services/oauth/client-metadata.ts'
import type { OAuthAccount } from '../../services/oauth/context.ts'
import { describeScope } from '../../services/oauth/scope-descriptions.ts'
import { Checkbox, Field, Notice, RememberBrowser } from '../ui/components.tsx'
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { Layout } from '../ui/layout.tsx'
import { PasskeySignIn } from '../ui/passkey.tsx'
import { RECOVERY_PATH } from '../../services/factors/recovery.ts'

export { escapeHtml } from '../ui/jsx/jsx-runtime.ts'
export { pageCsp } from '../ui/render.ts'

export type Page = { html: string; nonce: string }
export type FormContext = { action: string; requestUri: string; csrf: string }

/** prompt=create: accounts are not created on these pages (createAccount needs a handle, invite and PLC setup). */
export const SIGN_UP_NOTICE =
  'Creating an account is not available on this page. Create your account in an app that supports it, choosing this server as your hosting provider, then come back and sign in.'

function page(title: string, body: Child, script?: string): Page {
  const nonce = randomBytes(16).toString('base64url')
  const html = '<!doctype html>' + (<Layout nonce={nonce} title={title} narrow script={script}>{body}</Layout>).value
  return { html, nonce }
}

const clientName = (c: OAuthClient) => c.metadata.client_name ?? new URL(c.id).host

function ClientLine(p: { client: OAuthClient }) {
  return (
    <p class="client">
      {clientName(p.client)} ({p.client.isLoopback ? 'development app on this computer' : new URL(p.client.id).host})
    </p>
  )
}

function Hidden(p: { form: FormContext }) {
  return (
    <>
      <input type="hidden" name="request_uri" value={p.form.requestUri} />
      <input type="hidden" name="csrf_token" value={p.form.csrf} />
    </>
  )
}

/** askCode: the account has a second factor; the password is asked again with the code (nothing is kept between posts). */
export function loginPage(opts: { client: OAuthClient; form: FormContext; loginHint?: string; error?: string; notice?: string; askCode?: boolean }): Page {
  const { client, form } = opts
  return page(
    'Sign in',
    <section class="card">
      <h1>Sign in</h1>
      <ClientLine client={client} />
      <p>wants to access your account.</p>
      {opts.notice && <Notice>{opts.notice}</Notice>}
      {opts.error && <Notice kind="error">{opts.error}</Notice>}
      <form method="post" action={`${form.action}/sign-in`}>
        <Hidden form={form} />
        <Field name="identifier" label="Handle or email" value={opts.loginHint ?? ''} autocomplete="username" spellcheck={false} required />
        <Field name="password" type="password" label="Password" autocomplete="current-password" required />
        {opts.askCode && (
          <>
            <Field name="code" label="Code from your authenticator app or email, or a backup code" autocomplete="one-time-code" spellcheck={false} required />
            <RememberBrowser />
            <p class="small">
              <a href={RECOVERY_PATH}>Lost your authenticator app, backup codes or passkeys?</a>
            </p>
          </>
        )}
        <Checkbox name="remember" label="Remember this account on this device" checked />
        <button type="submit" class="wide">
          Sign in
        </button>
      </form>
      <PasskeySignIn
        action={`${form.action}/passkey`}
        optionsUrl={`${form.action}/passkey-options`}
        csrf={form.csrf}
        fields={{ request_uri: form.requestUri, remember: '1' }}
        intro="Or sign in with a passkey, without typing anything:"
      />
      <form method="post" action={`${form.action}/reject`}>
        <Hidden form={form} />
        <button class="secondary wide" type="submit">
          Cancel
        </button>
      </form>
    </section>,
  )
}

export function chooserPage(opts: { client: OAuthClient; form: FormContext; accounts: OAuthAccount[] }): Page {
  const { client, form } = opts
  return page(
    'Choose an account',
    <section class="card">
      <h1>Choose an account</h1>
      <ClientLine client={client} />
      <p>wants to access one of your accounts.</p>
      {opts.accounts.map((a) => (
        <form method="post" action={`${form.action}/select`}>
          <Hidden form={form} />
          <input type="hidden" name="did" value={a.did} />
          <button class="secondary wide account" type="submit">
            @{a.handle ?? a.did}
          </button>
        </form>
      ))}
      <form method="get" action={form.action}>
        <input type="hidden" name="request_uri" value={form.requestUri} />
        <input type="hidden" name="client_id" value={client.id} />
        <input type="hidden" name="prompt" value="login" />
        <button class="secondary wide" type="submit">
          Use another account
        </button>
      </form>
    </section>,
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
  return page(
    'Authorize access',
    <section class="card">
      <h1>Authorize access</h1>
      <ClientLine client={client} />
      <p>
        wants to act as <strong>@{account.handle ?? account.did}</strong>. If you allow it, it will be able to:
      </p>
      <ul>
        {opts.scopes.map((s) => (
          <li>{describe(s)}</li>
        ))}
      </ul>
      <div class="row halves">
        <form method="post" action={`${form.action}/reject`}>
          <Hidden form={form} />
          <button class="secondary wide" type="submit">
            Deny
          </button>
        </form>
        <form method="post" action={`${form.action}/accept`}>
          <Hidden form={form} />
          <input type="hidden" name="did" value={account.did} />
          <button class="wide" type="submit">
            Allow
          </button>
        </form>
      </div>
    </section>,
  )
}

export function errorPage(title: string, message: string): Page {
  return page(
    title,
    <section class="card">
      <h1>{title}</h1>
      <Notice kind="error">{message}</Notice>
    </section>,
  )
}

/** response_mode=form_post: a page that posts the response to the client, with a button when scripts are off. */
export function formPostPage(redirectUri: string, params: Record<string, string>): Page {
  return page(
    'Returning to the app',
    <form method="post" action={redirectUri} id="response">
      {Object.entries(params).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit">Continue</button>
    </form>,
    "document.getElementById('response').submit()",
  )
}
