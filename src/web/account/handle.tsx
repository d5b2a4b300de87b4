/** @jsxImportSource ../ui/jsx */
// /account/handle: a handle on one of the server's domains, or the person's own domain once it points
// at their DID (a DNS TXT record or a file at /.well-known/atproto-did), checked before switching.
import { Card, Copyable, Field, Form, Notice, type FieldErrors } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/handle`

type Check = { domain: string; ok: boolean; found: string | null }

function view(s: SignedIn, o: { errors?: FieldErrors; name?: string; domain?: string; check?: Check; status?: number } = {}) {
  const domains = s.app.services.config.identity.serviceHandleDomains
  const did = s.account.did
  const own = o.check?.domain ?? o.domain
  return accountPage(
    s,
    {
      title: 'Handle',
      current: PATH,
      children: (
        <>
          <h1>Handle</h1>
          {s.url.searchParams.get('done') === 'changed' && <Notice kind="ok">Your handle is now @{s.account.handle}.</Notice>}
          <p>
            Your handle is <strong>@{s.account.handle ?? 'handle.invalid'}</strong>. Changing it does not change your DID, your posts or your followers.
          </p>
          <Card title="A handle on this server">
            <Form action={PATH} csrf={s.csrf} label="A handle on this server">
              <input type="hidden" name="kind" value="server" />
              <Field name="name" label="Name" hint={`3 to 18 letters, digits or hyphens.`} value={o.name} spellcheck={false} errors={o.errors} required />
              <label for="f-suffix">Server domain</label>
              <select id="f-suffix" name="suffix">
                {domains.map((d) => (
                  <option value={d}>{d}</option>
                ))}
              </select>
              <button type="submit">Change handle</button>
            </Form>
          </Card>
          <Card title="Your own domain">
            <Form action={`${PATH}/check`} csrf={s.csrf} label="Your own domain">
              <Field name="domain" label="Your domain" hint="For example alice.example.com" value={own} spellcheck={false} errors={o.errors} required />
              <button type="submit" class="secondary">
                Show what to publish and check now
              </button>
            </Form>
            {own && !o.errors?.domain && (
              <>
                <p>Publish one of these, then check again:</p>
                <ul>
                  <li>
                    A DNS TXT record named <code>_atproto.{own}</code> with the value <Copyable value={`did=${did}`} label="TXT record value" />
                  </li>
                  <li>
                    Or a file at <code>https://{own}/.well-known/atproto-did</code> containing only <Copyable value={did} label="file content" />
                  </li>
                </ul>
              </>
            )}
            {o.check &&
              (o.check.ok ? (
                <>
                  <Notice kind="ok">{o.check.domain} points at your account.</Notice>
                  <Form action={PATH} csrf={s.csrf} label="Switch to your domain">
                    <input type="hidden" name="kind" value="own" />
                    <input type="hidden" name="domain" value={o.check.domain} />
                    <button type="submit">Switch to @{o.check.domain}</button>
                  </Form>
                </>
              ) : (
                <Notice kind="error">
                  {o.check.found ? `${o.check.domain} points at another account (${o.check.found}).` : `We did not find your DID at ${o.check.domain} yet. DNS changes can take a while to appear.`}
                </Notice>
              ))}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export const showHandle = (r: WebRequest) => view(asSignedIn(r))

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/

/** POST /account/handle/check: what to publish, and whether it is published. */
export async function checkHandle(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const domain = field(r.form, 'domain').toLowerCase().replace(/^@/, '')
  if (!DOMAIN.test(domain)) return view(s, { domain, errors: { domain: 'Enter a domain name, like alice.example.com.' }, status: 400 })
  const found = await s.app.services.accounts.resolveHandleRemote(domain).catch(() => null)
  return view(s, { check: { domain, ok: found === s.account.did, found } })
}

/** POST /account/handle (kind=server with name+suffix, or kind=own with a checked domain). */
export async function changeHandle(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const own = field(r.form, 'kind') === 'own'
  const name = field(r.form, 'name').toLowerCase()
  const suffix = field(r.form, 'suffix')
  const domains = s.app.services.config.identity.serviceHandleDomains
  if (!own && !domains.includes(suffix)) return view(s, { name, errors: { name: 'Choose one of the listed domains.' }, status: 400 })
  if (!own && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
    return view(s, { name, errors: { name: 'Use only letters, digits and hyphens (not at the start or end).' }, status: 400 })
  }
  const handle = own ? field(r.form, 'domain').toLowerCase() : `${name}${suffix}`
  try {
    await s.app.services.accounts.updateHandle(s.account.did, handle)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return own ? view(s, { domain: handle, errors: { domain: message }, status: 400 }) : view(s, { name, errors: { name: message }, status: 400 })
  }
  return seeOther(`${PATH}?done=changed`)
}
