/** @jsxImportSource ./jsx */
// The "Sign in with a passkey" form of the sign-in pages (account app, OAuth) and of the confirm-it-is-you
// page; its button says "Use a passkey" ("Sign in" stays the password form's one button). Hidden until the client script finds passkey support in the browser (it cannot work without
// it); the script asks `optionsUrl` (posting the form's fields) for a challenge, has the browser sign it
// with a passkey it holds for this server (no username needed: discoverable credentials) and sends the
// answer in `response`.
import { CSRF_FIELD } from './components.tsx'

export function PasskeySignIn(p: { action: string; optionsUrl: string; csrf: string; fields?: Record<string, string>; label?: string; formLabel?: string; intro?: string }) {
  const label = p.label ?? 'Use a passkey'
  return (
    <form method="post" action={p.action} aria-label={p.formLabel ?? 'Sign in with a passkey'} data-passkey-sign-in={p.optionsUrl} class="passkey" hidden>
      <input type="hidden" name={CSRF_FIELD} value={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <input type="hidden" name="response" value="" />
      {p.intro && <p class="muted small">{p.intro}</p>}
      <button type="submit" class="secondary wide">
        {label}
      </button>
    </form>
  )
}
