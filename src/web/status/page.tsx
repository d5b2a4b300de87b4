/** @jsxImportSource ../ui/jsx */
// GET / for browsers: the public status page. What this server is (software, version, handle domains),
// whom to contact and its policies, and live totals. Nothing private: no account is named.
// Cacheable for a short while: the totals are counted in the background (src/services/health/totals.ts).
import { Card } from '../ui/components.tsx'
import { Layout } from '../ui/layout.tsx'
import { htmlResponse } from '../ui/render.ts'
import type { PublicTotals } from '../../services/health/totals.ts'

export type StatusPageInfo = {
  hostname: string
  serviceName?: string
  version: string
  handleDomains: string[]
  contactEmail?: string
  links: { label: string; href: string }[]
}

/** Browsers and proxies may reuse the page this long (seconds); the totals change slowly. */
export const STATUS_PAGE_MAX_AGE = 30

const number = (n: number) => n.toLocaleString('en')

export function statusPage(info: StatusPageInfo, totals: PublicTotals): Response {
  const name = info.serviceName ?? info.hostname
  const res = htmlResponse((nonce) => (
    <Layout nonce={nonce} title={`${name}: AT Protocol PDS`} footer={<Footer info={info} />}>
      <h1>{name}</h1>
      <p>
        An <a href="https://atproto.com">AT Protocol</a> Personal Data Server: it hosts accounts and their data for Bluesky and
        other apps of the network. Most of its API is under <code>/xrpc/</code>.
      </p>
      <Card title="Right now">
        <div class="grid">
          <Stat value={number(totals.accounts)} label="accounts" />
          <Stat value={number(totals.records)} label="records" />
          <Stat value={number(totals.seq)} label="firehose sequence" />
        </div>
        <p class="muted small">
          Accounts and records counted at <time datetime={totals.countedAt}>{totals.countedAt.replace('T', ' ').slice(0, 16)} UTC</time>.
        </p>
      </Card>
      <Card title="This server">
        <dl class="facts">
          <dt>Software</dt>
          <dd>
            pds {info.version} (a single-binary PDS)
          </dd>
          <dt>Handles</dt>
          <dd>{info.handleDomains.map((d) => `*${d}`).join(', ')}</dd>
          <dt>Contact</dt>
          <dd>{info.contactEmail ? <a href={`mailto:${info.contactEmail}`}>{info.contactEmail}</a> : 'not published'}</dd>
          <dt>Your account</dt>
          <dd>
            <a href="/account">Sign in to manage it</a>
          </dd>
        </dl>
      </Card>
    </Layout>
  ))
  res.headers.set('Cache-Control', `public, max-age=${STATUS_PAGE_MAX_AGE}`)
  res.headers.set('Vary', 'Accept')
  return res
}

function Stat(p: { value: string; label: string }) {
  return (
    <div>
      <div class="stat">{p.value}</div>
      <div class="muted">{p.label}</div>
    </div>
  )
}

function Footer(p: { info: StatusPageInfo }) {
  if (p.info.links.length === 0) return <span>{p.info.hostname}</span>
  return (
    <nav aria-label="Policies">
      {p.info.links.map((l, i) => (
        <>
          {i > 0 && ' · '}
          <a href={l.href}>{l.label}</a>
        </>
      ))}
    </nav>
  )
}
