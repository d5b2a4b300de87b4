/** @jsxImportSource ./jsx */
// Small building blocks for forms and lists. Every form posts with its CSRF token; every field has a
// label and, when the input was refused, its message right below it (linked with aria-describedby).
import type { Child } from './jsx/jsx-runtime.ts'
import { REMEMBER_BROWSER_FIELD } from './trusted-browser.ts'

export const CSRF_FIELD = 'csrf_token'

export function Form(p: { action: string; csrf: string; class?: string; children: Child; label?: string; enctype?: 'multipart/form-data' }) {
  return (
    <form method="post" action={p.action} class={p.class} aria-label={p.label} enctype={p.enctype}>
      <input type="hidden" name={CSRF_FIELD} value={p.csrf} />
      {p.children}
    </form>
  )
}

/** One-button form (revoke, sign out, resend). */
export function ActionButton(p: { action: string; csrf: string; label: string; hidden?: Record<string, string>; variant?: 'secondary' | 'danger'; small?: boolean; ariaLabel?: string }) {
  return (
    <Form action={p.action} csrf={p.csrf}>
      {Object.entries(p.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={[p.variant, p.small ? 'small' : ''].filter(Boolean).join(' ') || undefined} aria-label={p.ariaLabel}>
        {p.label}
      </button>
    </Form>
  )
}

export type FieldErrors = Record<string, string | undefined>

export function Field(p: {
  name: string
  label: string
  type?: 'text' | 'password' | 'email'
  value?: string
  autocomplete?: string
  hint?: string
  errors?: FieldErrors
  required?: boolean
  inputmode?: string
  spellcheck?: boolean
  autofocus?: boolean
}) {
  const id = `f-${p.name}`
  const error = p.errors?.[p.name]
  const described = [p.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.type === 'password' ? undefined : p.value}
        autocomplete={p.autocomplete}
        required={p.required}
        inputmode={p.inputmode}
        autocapitalize={p.type === 'email' || p.spellcheck === false ? 'none' : undefined}
        spellcheck={p.spellcheck}
        autofocus={p.autofocus || !!error}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
      />
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}

export function Checkbox(p: { name: string; label: string; checked?: boolean; hint?: string }) {
  return (
    <div>
      <label class="check">
        <input type="checkbox" name={p.name} value="1" checked={p.checked} /> {p.label}
      </label>
      {p.hint && <p class="hint">{p.hint}</p>}
    </div>
  )
}

/** The code step's "remember this browser" choice (src/web/ui/trusted-browser.ts). */
export function RememberBrowser() {
  return (
    <Checkbox
      name={REMEMBER_BROWSER_FIELD}
      label="Remember this browser for 30 days"
      hint="Signing in here will not ask for a code again; other browsers still will. Only on a device you alone use."
    />
  )
}

export function Notice(p: { kind?: 'ok' | 'error' | 'info'; children: Child }) {
  return (
    <p class={`notice ${p.kind ?? 'info'}`} role={p.kind === 'error' ? 'alert' : 'status'}>
      {p.children}
    </p>
  )
}

export function Card(p: { title?: string; children: Child; labelledBy?: string }) {
  const id = p.title ? `card-${p.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` : undefined
  return (
    <section class="card" aria-labelledby={id}>
      {p.title && <h2 id={id}>{p.title}</h2>}
      {p.children}
    </section>
  )
}

/** A value shown as text with a button that copies it (the client script; without it, select the text). */
export function Copyable(p: { value: string; label: string; secret?: boolean }) {
  return (
    <span class="copyable">
      <code class={p.secret ? 'secret' : undefined}>{p.value}</code>
      <button type="button" class="secondary small" data-copy={p.value} aria-label={`Copy ${p.label}`} aria-live="polite">
        Copy
      </button>
    </span>
  )
}

/** A time as people read it, in UTC (the server cannot know the browser's zone without a script). */
export function When(p: { at: number | string }) {
  const d = new Date(p.at)
  return <time datetime={d.toISOString()}>{d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}
