/** @jsxImportSource ../ui/jsx */
// The console's page frames: signed in (header with the operator, tabs, sign out), signed out (a narrow
// column), the error page, and the confirmation step of destructive actions.
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { ActionButton, Form } from '../ui/components.tsx'
import { htmlResponse, type PageInit } from '../ui/render.ts'
import { Layout, type NavItem } from '../ui/layout.tsx'
import { ADMIN_BASE, operatorName, type AdminRequest, type SignedInAdmin } from './context.ts'

export const NAV: NavItem[] = [
  { href: ADMIN_BASE, label: 'Server' },
  { href: `${ADMIN_BASE}/accounts`, label: 'Accounts' },
  { href: `${ADMIN_BASE}/invites`, label: 'Invites' },
  { href: `${ADMIN_BASE}/reports`, label: 'Reports' },
  { href: `${ADMIN_BASE}/audit`, label: 'Audit log' },
]

const footer = (r: AdminRequest) => <span class="row">{r.app.services.config.service.hostname} · operator console</span>

/** A page of the signed-in console. `current` is the tab to mark. */
export function adminPage(r: SignedInAdmin, o: { title: string; current: string; children: Child }, init: PageInit = {}): Response {
  return htmlResponse(
    (nonce) => (
      <Layout
        nonce={nonce}
        title={`${o.title} · Operator console`}
        header={{
          brand: 'Operator console',
          brandHref: ADMIN_BASE,
          who: `Signed in as ${operatorName(r.operator)}`,
          nav: NAV,
          navLabel: 'Console',
          current: o.current,
          actions: <ActionButton action={`${ADMIN_BASE}/sign-out`} csrf={r.csrf} label="Sign out" variant="secondary" small />,
        }}
        footer={footer(r)}
      >
        {o.children}
      </Layout>
    ),
    { ...init, cookies: [...r.cookies, ...(init.cookies ?? [])] },
  )
}

/** A signed-out page (the sign-in form, errors before signing in). */
export function publicPage(r: AdminRequest, o: { title: string; children: Child }, init: PageInit = {}): Response {
  return htmlResponse(
    (nonce) => (
      <Layout nonce={nonce} title={o.title} narrow footer={footer(r)}>
        {o.children}
      </Layout>
    ),
    { ...init, cookies: [...r.cookies, ...(init.cookies ?? [])] },
  )
}

/** Something went wrong or was refused: said in plain words, with a way back. */
export function problemPage(r: AdminRequest, status: number, title: string, message: string): Response {
  return publicPage(
    r,
    {
      title: `${title} · Operator console`,
      children: (
        <section class="card">
          <h1>{title}</h1>
          <p role="alert">{message}</p>
          <p>
            <a href={r.req.headers.get('referer')?.startsWith(r.url.origin + ADMIN_BASE) ? r.req.headers.get('referer')! : ADMIN_BASE}>Go back</a>
          </p>
        </section>
      ),
    },
    { status },
  )
}

/** The second step of an action that destroys something: what will happen, and one button to do it. */
export function confirmPage(
  r: SignedInAdmin,
  o: { title: string; current: string; action: string; fields: Record<string, string>; what: Child; confirmLabel: string; cancelHref: string },
): Response {
  return adminPage(r, {
    title: o.title,
    current: o.current,
    children: (
      <section class="card" aria-labelledby="confirm-title">
        <h1 id="confirm-title">{o.title}</h1>
        {o.what}
        <Form action={o.action} csrf={r.csrf} label={o.title}>
          {Object.entries({ ...o.fields, confirm: '1' }).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <div class="row">
            <button type="submit" class="danger">
              {o.confirmLabel}
            </button>
            <a class="button secondary" href={o.cancelHref}>
              Cancel
            </a>
          </div>
        </Form>
      </section>
    ),
  })
}
