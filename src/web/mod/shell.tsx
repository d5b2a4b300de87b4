/** @jsxImportSource ../ui/jsx */
// The console's page frame: the shared layout with the console's own tabs and the member's role.
import type { Child } from '../ui/jsx/jsx-runtime.ts'
import { ActionButton } from '../ui/components.tsx'
import { htmlResponse } from '../ui/render.ts'
import { Layout, type NavItem } from '../ui/layout.tsx'
import { BASE } from '../account/context.ts'
import { MOD_BASE, roleName, type Member } from './context.ts'

const NAV: NavItem[] = [
  { href: MOD_BASE, label: 'Reports' },
  { href: `${MOD_BASE}/scheduled`, label: 'Scheduled' },
  { href: `${MOD_BASE}/labels`, label: 'Labels' },
  { href: `${MOD_BASE}/team`, label: 'Team' },
  { href: BASE, label: 'Your account' },
]

export function modPage(m: Member, o: { title: string; current: string; children: Child }): Response {
  return htmlResponse(
    (nonce) => (
      <Layout
        nonce={nonce}
        title={`${o.title} · Moderation`}
        header={{
          brand: 'Moderation',
          brandHref: MOD_BASE,
          who: `@${m.account.handle ?? m.account.did} · ${roleName(m.caller.role)}`,
          nav: NAV,
          current: o.current,
          actions: <ActionButton action={`${BASE}/sign-out`} csrf={m.csrf} label="Sign out" variant="secondary" small />,
        }}
      >
        {o.children}
      </Layout>
    ),
    { cookies: m.cookies },
  )
}
