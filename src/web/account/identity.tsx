/** @jsxImportSource ../ui/jsx */
// /account/identity: what the account's DID is and where its document lives. A did:plc is kept in the PLC
// directory and can move between servers. A did:web hosted here is served by this server and cannot move
// to another server's domain. A did:web on the person's own domain: the exact document to publish at
// https://<domain>/.well-known/did.json, a check that it names this server, and activation once it does.
import { ActionButton, Card, Copyable, Notice } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import { BASE, type SignedIn, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

export const IDENTITY_PATH = `${BASE}/identity`

const docUrl = (did: string) => `https://${decodeURIComponent(did.slice('did:web:'.length))}/.well-known/did.json`

function view(s: SignedIn, o: { problem?: string; status?: number } = {}) {
  const { accounts } = s.app.services
  const did = s.account.did
  const hosted = accounts.isHostedDidWeb(did)
  const doc = did.startsWith('did:web:') ? accounts.didWebDocumentToPublish(did) : null
  const json = doc ? JSON.stringify(doc, null, 2) : ''
  const checked = s.url.searchParams.get('checked') === '1'
  return accountPage(
    s,
    {
      title: 'Identity',
      current: IDENTITY_PATH,
      children: (
        <>
          <h1>Your identity</h1>
          <Card title="Your DID">
            <p>
              <Copyable value={did} label="DID" />
            </p>
            {did.startsWith('did:plc:') && <p>A did:plc lives in the PLC directory. It can move with you to any other server, keeping your followers.</p>}
            {hosted && (
              <p>
                This server publishes your DID document at <code>{docUrl(did)}</code> and keeps it current when your handle or key changes. A did:web is tied to
                its domain: it cannot move to another server's domain.
              </p>
            )}
          </Card>
          {doc && !hosted && (
            <Card title="The document to publish">
              <p>
                Your DID is on your own domain. For this server to host your account, publish exactly this at <code>{docUrl(did)}</code> (served as JSON over
                https). Publish it again whenever your handle changes here.
              </p>
              <pre tabindex={0} aria-label="DID document">
                {json}
              </pre>
              <p>
                <button type="button" class="secondary small" data-copy={json} aria-label="Copy the DID document" aria-live="polite">
                  Copy
                </button>
              </p>
              {checked && !o.problem && <Notice kind="ok">Your domain publishes a document that names this server.</Notice>}
              {o.problem && <Notice kind="error">Not yet: {o.problem}</Notice>}
              <ActionButton action={`${IDENTITY_PATH}/check`} csrf={s.csrf} label={s.account.deactivatedAt ? 'Check and activate' : 'Check now'} />
            </Card>
          )}
        </>
      ),
    },
    { status: o.status },
  )
}

export function showIdentity(r: WebRequest): Response {
  return view(asSignedIn(r))
}

/** POST /account/identity/check: the domain's document, as activateAccount checks it; activates a waiting account. */
export async function checkIdentity(r: WebRequest): Promise<Response> {
  const s = asSignedIn(r)
  const { accounts } = s.app.services
  try {
    await accounts.assertValidDidDocForService(s.account.did)
  } catch (err) {
    const message = serviceMessage(err)
    if (!message) throw err
    return view(s, { problem: message, status: 400 })
  }
  if (s.account.deactivatedAt) accounts.activateAccount(s.account.did)
  return seeOther(`${IDENTITY_PATH}?checked=1`)
}
