/** @jsxImportSource ../../../src/web/ui/jsx */
// The UI layer's renderer: every interpolated value is escaped, markup only through raw(), no inline
// event handlers; the page response carries a nonce-based CSP that matches its inline style and script.
import { expect, test } from 'bun:test'
import { Html, raw } from '../../../src/web/ui/jsx/jsx-runtime.ts'
import { htmlResponse } from '../../../src/web/ui/render.ts'
import { Layout } from '../../../src/web/ui/layout.tsx'
import { Field } from '../../../src/web/ui/components.tsx'
import { setCookie } from '../../../src/web/ui/cookies.ts'
import { csrfMatches, csrfToken } from '../../../src/web/ui/csrf.ts'

const evil = `"><script>alert('x')</script>&`

test('text and attribute values are escaped', () => {
  const out = (
    <p title={evil} data-x={evil}>
      {evil}
      {[evil, 1, null, false, undefined]}
    </p>
  ).value
  expect(out).not.toContain('<script>')
  const e = '&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;'
  expect(out).toBe(`<p title="${e}" data-x="${e}">${e}${e}1</p>`)
})

test('only raw() passes markup; components compose without double escaping', () => {
  expect((<div>{raw('<b>ok</b>')}</div>).value).toBe('<div><b>ok</b></div>')
  const Inner = (p: { name: string }) => <b>{p.name}</b>
  expect((<div><Inner name="<i>" /></div>).value).toBe('<div><b>&#60;i&#62;</b></div>')
  expect(<br />).toBeInstanceOf(Html)
  expect((<input required value="a" disabled={false} />).value).toBe('<input required value="a">')
})

test('inline event handlers and bad names are refused', () => {
  expect(() => <button onclick="x()">x</button>).toThrow('inline event handlers are not allowed')
  expect(() => <p {...{ 'a b': '1' }} />).toThrow('invalid attribute name')
})

test('a field with an error is described by it', () => {
  const out = (<Field name="email" label="Email" errors={{ email: 'Enter <an> address' }} />).value
  expect(out).toContain('aria-invalid="true"')
  expect(out).toContain('aria-describedby="f-email-error"')
  expect(out).toContain('<p class="field-error" id="f-email-error">Enter &#60;an&#62; address</p>')
})

test('a page response: one nonce for the CSP, the stylesheet and the script', async () => {
  const res = htmlResponse((nonce) => <Layout nonce={nonce} title={evil}>hello</Layout>)
  const csp = res.headers.get('content-security-policy')!
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!
  expect(csp).toContain("default-src 'none'")
  expect(csp).toContain("frame-ancestors 'none'")
  const html = await res.text()
  expect(html.startsWith('<!doctype html>')).toBe(true)
  expect(html).toContain(`<style nonce="${nonce}">`)
  expect(html).toContain(`<script nonce="${nonce}">`)
  expect(html.match(/<script/g)).toHaveLength(1)
  expect(html).toContain('<title>&#34;&#62;&#60;script&#62;')
  expect(res.headers.get('x-frame-options')).toBe('DENY')
  expect(res.headers.get('cache-control')).toBe('no-store')
})

test('cookies: HttpOnly, SameSite=Lax, Secure when asked; CSRF tokens bound to their cookie', () => {
  expect(setCookie('s', 'v', { path: '/account', secure: true })).toBe('s=v; Path=/account; HttpOnly; SameSite=Lax; Secure')
  expect(setCookie('s', 'v', { path: '/account', secure: false, maxAgeSeconds: 5 })).toBe('s=v; Path=/account; HttpOnly; SameSite=Lax; Max-Age=5')
  const token = csrfToken('key', 'cookie-a')
  expect(csrfMatches('key', 'cookie-a', token)).toBe(true)
  expect(csrfMatches('key', 'cookie-b', token)).toBe(false)
  expect(csrfMatches('other-key', 'cookie-a', token)).toBe(false)
  expect(csrfMatches('key', 'cookie-a', '')).toBe(false)
})
