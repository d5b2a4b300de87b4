/** @jsxImportSource ../ui/jsx */
// The forms of an account's page (POST /admin/accounts/<action>). Each calls one audited operator action;
// takedown, deactivation, removing second factors and deletion first show what will happen and ask again.
import { randomBytes } from 'node:crypto'
import { Copyable, Notice } from '../ui/components.tsx'
import { serviceMessage } from '../ui/errors.ts'
import { field, raw } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import { ACCOUNTS_PATH, accountHref } from './accounts.tsx'
import { acting, type AdminRequest, type SignedInAdmin } from './context.ts'
import { asOperator } from './router.ts'
import { confirmPage } from './shell.tsx'
import { showAccount } from './account.tsx'

type Step = (s: SignedInAdmin, did: string) => Promise<Response | void> | Response | void

/** Runs `step` for the posted DID; afterwards back to the account with a notice, or its page with the refusal. */
function action(done: string, step: Step) {
  return async (r: AdminRequest): Promise<Response> => {
    const s = asOperator(r)
    const did = field(s.form, 'did')
    try {
      const shown = await step(s, did)
      return shown ?? seeOther(`${accountHref(did)}&done=${done}`, s.cookies)
    } catch (err) {
      const message = serviceMessage(err)
      if (message) return showAccount(s, { error: message, status: 400 })
      throw err
    }
  }
}

const confirmed = (s: SignedInAdmin) => s.form.get('confirm') === '1'
const nameOf = (s: SignedInAdmin, did: string) => {
  const handle = s.app.services.accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })?.handle
  return handle ? `@${handle}` : did
}

function ask(s: SignedInAdmin, did: string, o: { title: string; what: string; confirmLabel: string; fields?: Record<string, string> }) {
  return confirmPage(s, {
    title: o.title,
    current: ACCOUNTS_PATH,
    action: `${ACCOUNTS_PATH}/${s.url.pathname.split('/').pop()}`,
    fields: { did, ...o.fields },
    what: <p>{o.what}</p>,
    confirmLabel: o.confirmLabel,
    cancelHref: accountHref(did),
  })
}

export const takedown = action('takedown', (s, did) => {
  const reason = field(s.form, 'reason')
  if (reason && !confirmed(s)) {
    return ask(s, did, {
      title: `Take down ${nameOf(s, did)}?`,
      what: `Reason: “${reason}”. Its sessions end, its repository and blobs stop being served and relays are told it is taken down. You can reverse this.`,
      confirmLabel: 'Take down',
      fields: { reason },
    })
  }
  s.app.services.console.actions.takedown(acting(s), did, reason)
})

export const reverseTakedown = action('reverse-takedown', (s, did) => s.app.services.console.actions.reverseTakedown(acting(s), did, field(s.form, 'reason')))

export const deactivate = action('deactivate', (s, did) => {
  if (!confirmed(s)) {
    return ask(s, did, {
      title: `Deactivate ${nameOf(s, did)}?`,
      what: 'Its sessions end and its repository stops being served until it is reactivated (by you, or by its holder signing in).',
      confirmLabel: 'Deactivate',
    })
  }
  s.app.services.console.actions.setDeactivated(acting(s), did, true)
})

export const activate = action('activate', (s, did) => s.app.services.console.actions.setDeactivated(acting(s), did, false))

/** A password an operator can read out: 4 groups of 5 base32 characters (100 bits). */
function generatePassword(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  return Array.from(randomBytes(20), (b) => alphabet[b & 31])
    .join('')
    .match(/.{5}/g)!
    .join('-')
}

export const resetPassword = action('reset-password', async (s, did) => {
  const given = raw(s.form, 'password')
  const password = given || generatePassword()
  await s.app.services.console.actions.resetPassword(acting(s), did, password)
  if (given) return
  // Shown once, on this answer only (never in a URL or the log).
  return showAccount(s, {
    shown: (
      <Notice kind="ok">
        New password (shown once): <Copyable value={password} label="the new password" secret />
      </Notice>
    ),
  })
})

export const changeEmail = action('change-email', (s, did) => s.app.services.console.actions.changeEmail(acting(s), did, field(s.form, 'email')))
export const changeHandle = action('change-handle', (s, did) => s.app.services.console.actions.changeHandle(acting(s), did, field(s.form, 'handle').replace(/^@/, '')))
export const disableInvites = action('disable-invites', (s, did) => s.app.services.console.actions.setInvitesDisabled(acting(s), did, true))
export const enableInvites = action('enable-invites', (s, did) => s.app.services.console.actions.setInvitesDisabled(acting(s), did, false))
export const sendEmail = action('send-email', (s, did) => s.app.services.console.actions.sendEmail(acting(s), did, field(s.form, 'subject'), raw(s.form, 'content')))

export const resetSecondFactors = action('reset-2fa', async (s, did) => {
  if (!confirmed(s)) {
    return ask(s, did, {
      title: `Remove every second factor of ${nameOf(s, did)}?`,
      what: 'Its authenticator app, backup codes, email codes and passkeys are removed and its holder is told by email. Do this only once you are sure who is asking.',
      confirmLabel: 'Remove second factors',
    })
  }
  await s.app.services.console.actions.resetSecondFactors(acting(s), did)
})

export async function deleteAccount(r: AdminRequest): Promise<Response> {
  const s = asOperator(r)
  const did = field(s.form, 'did')
  if (!confirmed(s)) {
    return ask(s, did, {
      title: `Delete ${nameOf(s, did)}?`,
      what: 'The account, its repository, blobs and signing key are removed from this server, and relays are told it is deleted. This cannot be undone.',
      confirmLabel: 'Delete for good',
    })
  }
  return action('deleted', async () => {
    await s.app.services.console.actions.deleteAccount(acting(s), did)
    return seeOther(`${ACCOUNTS_PATH}?deleted=${encodeURIComponent(did)}`, s.cookies)
  })(r)
}
