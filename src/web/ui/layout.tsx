/** @jsxImportSource ./jsx */
// The page shell shared by every web surface: head (viewport, the stylesheet, the client script, all
// nonced), an optional header with the signed-in account and tabs, the main column, a footer.
import { raw, type Child } from './jsx/jsx-runtime.ts'
import { CLIENT_SCRIPT } from './client.ts'
import { STYLESHEET } from './styles.ts'

export type NavItem = { href: string; label: string }
export type LayoutProps = {
  nonce: string
  title: string
  /** Shown in the header when someone is signed in. */
  header?: { brand: string; brandHref: string; who: string; nav: NavItem[]; current: string; actions?: Child; navLabel?: string }
  /** A narrow single-column page (sign-in, forms on their own). */
  narrow?: boolean
  footer?: Child
  /** A page's own small script (a trusted constant), after the shared one. */
  script?: string
  children: Child
}

export function Layout(p: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {/* No favicon request (there is none to serve). */}
        <link rel="icon" href="data:," />
        <title>{p.title}</title>
        <style nonce={p.nonce}>{raw(STYLESHEET)}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {p.header && (
          <header class="top">
            <div class="bar">
              <a class="brand" href={p.header.brandHref}>
                {p.header.brand}
              </a>
              <span class="who">{p.header.who}</span>
              {p.header.actions}
            </div>
            <nav class="tabs" aria-label={p.header.navLabel ?? 'Account'}>
              {p.header.nav.map((n) => (
                <a href={n.href} aria-current={n.href === p.header!.current ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          </header>
        )}
        <main id="main" class={p.narrow ? 'narrow' : undefined}>
          {p.children}
        </main>
        {p.footer && <footer>{p.footer}</footer>}
        <script nonce={p.nonce}>{raw(CLIENT_SCRIPT)}</script>
        {p.script && <script nonce={p.nonce}>{raw(p.script)}</script>}
      </body>
    </html>
  )
}
