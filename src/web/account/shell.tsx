/** @jsxImportSource ../ui/jsx */
// The account app's page frames: signed in (header with the account, tabs, sign out) and signed out
// (a narrow column), plus the error page.
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { ActionButton } from '../ui/components.tsx'
import { htmlResponse, type PageInit } from '../ui/render.ts'
import { Layout, type NavItem } from '../ui/layout.tsx'
import { BASE, type SignedIn, type WebRequest } from './context.ts'

export const NAV: NavItem[] = [
  { href: BASE, label: 'Overview' },
  { href: `${BASE}/sessions`, label: 'Sessions' },
  { href: `${BASE}/app-passwords`, label: 'App passwords' },
  { href: `${BASE}/handle`, label: 'Handle' },
  { href: `${BASE}/identity`, label: 'Identity' },
  { href: `${BASE}/email`, label: 'Email' },
  { href: `${BASE}/password`, label: 'Password' },
  { href: `${BASE}/security`, label: 'Security' },
  { href: `${BASE}/notifications`, label: 'Notifications' },
  { href: `${BASE}/invites`, label: 'Invite codes' },
  { href: `${BASE}/data`, label: 'Your data' },
]

function Footer(p: { r: WebRequest }) {
  const s = p.r.app.services.config.service
  const links = [
    s.contactEmailAddress && <a href={`mailto:${s.contactEmailAddress}`}>Contact</a>,
    s.privacyPolicyUrl && <a href={s.privacyPolicyUrl}>Privacy policy</a>,
    s.termsOfServiceUrl && <a href={s.termsOfServiceUrl}>Terms of service</a>,
  ].filter(Boolean)
  return (
    <span class="row">
      <span>{s.hostname}</span>
      {links}
    </span>
  )
}

/** A page of the signed-in app. `current` is the tab to mark. */
export function accountPage(r: SignedIn, o: { title: string; current: string; children: Child }, init: PageInit = {}): Response {
  const who = `@${r.account.handle ?? r.account.did}`
  return htmlResponse(
    (nonce) => (
      <Layout
        nonce={nonce}
        title={`${o.title} · Your account`}
        header={{
          brand: 'Your account',
          brandHref: BASE,
          who,
          nav: NAV,
          current: o.current,
          actions: <ActionButton action={`${BASE}/sign-out`} csrf={r.csrf} label="Sign out" variant="secondary" small />,
        }}
        footer={<Footer r={r} />}
      >
        {o.children}
      </Layout>
    ),
    { ...init, cookies: [...r.cookies, ...(init.cookies ?? [])] },
  )
}

/** A signed-out page (sign-in, forgot password): one narrow column. */
export function publicPage(r: WebRequest, o: { title: string; children: Child; script?: string }, init: PageInit = {}): Response {
  return htmlResponse(
    (nonce) => (
      <Layout nonce={nonce} title={o.title} narrow footer={<Footer r={r} />} script={o.script}>
        {o.children}
      </Layout>
    ),
    { ...init, cookies: [...r.cookies, ...(init.cookies ?? [])] },
  )
}

/** Something went wrong: said in plain words, with a way back. */
export function problemPage(r: WebRequest, status: number, title: string, message: string): Response {
  return publicPage(
    r,
    {
      title,
      children: (
        <section class="card">
          <h1>{title}</h1>
          <p role="alert">{message}</p>
          <p>
            <a href={BASE}>Back to your account</a>
          </p>
        </section>
      ),
    },
    { status },
  )
}
