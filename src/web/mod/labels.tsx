/** @jsxImportSource ../ui/jsx */
// /account/mod/labels: the labels the labeler declares (its app.bsky.labeler.service record). Everyone on
// the team sees them; admins add a label (a global one like !warn, or the team's own with a name and how
// apps show it) or stop declaring one.
import { ActionButton, Card, Checkbox, Field, Form, Notice } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { seeOther } from '../ui/render.ts'
import type { WebRequest } from '../account/context.ts'
import { BLURS, DEFAULT_SETTINGS, SEVERITIES } from '../../services/moderation/label-policies.ts'
import { isAdmin } from '../../services/moderation/team.ts'
import { asMember, MOD_BASE, orRefusalPage } from './context.ts'
import { modPage } from './shell.tsx'
import { LabelKeyCard } from './label-key.tsx'

export const LABELS_PATH = `${MOD_BASE}/labels`

function Choice(p: { name: string; label: string; options: readonly string[]; selected: string }) {
  return (
    <div>
      <label for={`f-${p.name}`}>{p.label}</label>
      <select id={`f-${p.name}`} name={p.name}>
        {p.options.map((o) => (
          <option value={o} selected={o === p.selected}>
            {o}
          </option>
        ))}
      </select>
    </div>
  )
}

export async function showLabels(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const { labelValues, labelValueDefinitions } = m.moderation.labelPolicies.current()
  const defined = new Map(labelValueDefinitions.map((d) => [d.identifier, d]))
  const saved = r.url.searchParams.get('saved')
  const removed = r.url.searchParams.get('removed')
  return modPage(m, {
    title: 'Labels',
    current: LABELS_PATH,
    children: (
      <>
        <h1>Labels</h1>
        {saved && <Notice kind="ok">Saved {saved}.</Notice>}
        {removed && <Notice kind="ok">No longer declared: {removed}. Labels already applied stay.</Notice>}
        <Card title="Declared by the labeler">
          <ul class="items">
            {labelValues.map((v) => {
              const d = defined.get(v)
              return (
                <li>
                  <div class="what">
                    <strong class="mono">{v}</strong>
                    {d && ` · ${d.locales[0]?.name ?? ''}`}
                    <div class="muted small">
                      {v.startsWith('!') ? 'global: apps apply it the same everywhere' : d ? `severity ${d.severity} · blurs ${d.blurs} · default ${d.defaultSetting ?? 'warn'}${d.adultOnly ? ' · adult only' : ''}` : 'a standard label'}
                    </div>
                    {d?.locales[0]?.description && <div class="small">{d.locales[0].description}</div>}
                  </div>
                  {isAdmin(m.caller) && <ActionButton action={`${LABELS_PATH}/remove`} csrf={m.csrf} hidden={{ identifier: v }} label="Remove" variant="danger" small ariaLabel={`Remove ${v}`} />}
                </li>
              )
            })}
          </ul>
        </Card>
        {isAdmin(m.caller) && (
          <Card title="Add or change a label">
            <Form action={LABELS_PATH} csrf={m.csrf} label="Add or change a label">
              <Field name="identifier" label="Value" required spellcheck={false} hint="Lowercase letters, digits and dashes (e.g. rude). A leading ! for a global one (e.g. !warn)." />
              <Field name="name" label="Name shown in apps" hint="Leave empty for a standard label with no definition of its own." />
              <div>
                <label for="f-description">Description</label>
                <textarea id="f-description" name="description" />
              </div>
              <Choice name="severity" label="Severity" options={SEVERITIES} selected="inform" />
              <Choice name="blurs" label="Blurs" options={BLURS} selected="none" />
              <Choice name="defaultSetting" label="Default setting" options={DEFAULT_SETTINGS} selected="warn" />
              <Checkbox name="adultOnly" label="Adult content (only for accounts that allow it)" />
              <button type="submit">Save label</button>
            </Form>
          </Card>
        )}
        <LabelKeyCard m={m} rotated={r.url.searchParams.get('rotated') === '1'} />
      </>
    ),
  })
}

export async function defineLabel(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const identifier = field(r.form, 'identifier').trim()
  await orRefusalPage('Label not saved', () =>
    m.moderation.labelPolicies.define(m.caller, {
      identifier,
      name: r.form.get('name') ?? undefined,
      description: r.form.get('description') ?? undefined,
      severity: r.form.get('severity') ?? undefined,
      blurs: r.form.get('blurs') ?? undefined,
      defaultSetting: r.form.get('defaultSetting') ?? undefined,
      adultOnly: r.form.get('adultOnly') !== null,
    }),
  )
  return seeOther(`${LABELS_PATH}?saved=${encodeURIComponent(identifier)}`)
}

export async function removeLabel(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const identifier = field(r.form, 'identifier')
  await orRefusalPage('Label not removed', () => m.moderation.labelPolicies.remove(m.caller, identifier))
  return seeOther(`${LABELS_PATH}?removed=${encodeURIComponent(identifier)}`)
}
