/** @jsxImportSource ../ui/jsx */
// /account/app-passwords: list, create (shown once, with a copy button), revoke. An app password signs
// an app in without the account password; a privileged one may also read and send direct messages.
import { ActionButton, Card, Checkbox, Copyable, Field, Form, Notice, When, type FieldErrors } from '../ui/components.tsx'
import { serviceErrorName, serviceMessage } from '../ui/errors.ts'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/app-passwords`
const NAME_MAX = 64

type Created = { name: string; password: string; privileged: boolean }

function view(s: SignedIn, o: { created?: Created; errors?: FieldErrors; name?: string; privileged?: boolean; status?: number } = {}) {
  const list = s.app.services.accounts.manager.listAppPasswords(s.account.did)
  const revoked = s.url.searchParams.get('done') === 'revoked'
  return accountPage(
    s,
    {
      title: 'App passwords',
      current: PATH,
      children: (
        <>
          <h1>App passwords</h1>
          {revoked && <Notice kind="ok">The app password was revoked; apps using it are signed out.</Notice>}
          {o.created && (
            <section class="card" aria-labelledby="created-title">
              <h2 id="created-title">Your new app password “{o.created.name}”</h2>
              <p>Copy it into the app now. It is shown only this once.</p>
              <Copyable value={o.created.password} label="app password" secret />
            </section>
          )}
          <Card title="New app password">
            <p>Use an app password to sign in to an app without giving it your account password. You can revoke it at any time.</p>
            <Form action={PATH} csrf={s.csrf} label="New app password">
              <Field name="name" label="Name" hint="To recognise it later, for example the app’s name." value={o.name} errors={o.errors} required />
              <Checkbox name="privileged" label="Allow access to direct messages" checked={o.privileged} hint="Only for apps you trust with your private conversations." />
              <button type="submit">Create app password</button>
            </Form>
          </Card>
          <Card title="Your app passwords">
            {list.length ? (
              <ul class="items">
                {list.map((p) => (
                  <li>
                    <div class="what">
                      <strong>{p.name}</strong>
                      {p.privileged && <span class="badge">Direct messages</span>}
                      <div class="muted small">
                        Created <When at={p.createdAt} />
                      </div>
                    </div>
                    <ActionButton action={`${PATH}/revoke`} csrf={s.csrf} label="Revoke" hidden={{ name: p.name }} variant="secondary" small ariaLabel={`Revoke ${p.name}`} />
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">You have no app passwords.</p>
            )}
          </Card>
        </>
      ),
    },
    { status: o.status },
  )
}

export const showAppPasswords = (r: WebRequest) => view(asSignedIn(r))

/** POST /account/app-passwords: answered with the page itself, so the password never sits in a URL. */
export async function createAppPassword(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const name = field(r.form, 'name')
  const privileged = r.form.get('privileged') === '1'
  if (!name) return view(s, { errors: { name: 'Give the app password a name.' }, privileged, status: 400 })
  if (name.length > NAME_MAX) return view(s, { errors: { name: `Use at most ${NAME_MAX} characters.` }, name, privileged, status: 400 })
  try {
    const created = await s.app.services.accounts.createAppPassword(s.account.did, name, { privileged })
    return view(s, { created })
  } catch (err) {
    const message = serviceErrorName(err) === 'DuplicateName' ? 'You already have an app password with this name.' : serviceMessage(err)
    if (!message) throw err
    return view(s, { errors: { name: message }, name, privileged, status: 400 })
  }
}

/** POST /account/app-passwords/revoke */
export function revokeAppPassword(r: WebRequest): Response {
  const s = asSignedIn(r)
  s.app.services.accounts.revokeAppPassword(s.account.did, field(r.form, 'name'))
  return seeOther(`${PATH}?done=revoked`)
}
