// The team's configuration: email templates (tools.ozone.communication.*), settings (tools.ozone.setting.*)
// and sets of values (tools.ozone.set.*), with Ozone's role rules and error names.
import { invalidInput } from '../errors.ts'
import * as store from '../../storage/moderation/team-config.ts'
import type { SetRow, SettingRow, TemplateRow } from '../../storage/moderation/team-config.ts'
import type { ModContext } from './context.ts'
import { assertModerator, isAdmin, ROLE, type Caller } from './team.ts'

const templateView = (t: TemplateRow) => ({
  id: String(t.id),
  name: t.name,
  ...(t.subject !== null ? { subject: t.subject } : {}),
  contentMarkdown: t.content_markdown,
  disabled: t.disabled === 1,
  ...(t.lang ? { lang: t.lang } : {}),
  lastUpdatedBy: t.last_updated_by,
  createdAt: t.created_at,
  updatedAt: t.updated_at,
})

/** Instance options belong to the service (the team DID), as Ozone's do. */
const settingView = (s: SettingRow, team: string) => ({
  key: s.key,
  did: s.did || team,
  value: JSON.parse(s.value),
  ...(s.description ? { description: s.description } : {}),
  createdAt: s.created_at,
  updatedAt: s.updated_at,
  ...(s.manager_role ? { managerRole: s.manager_role } : {}),
  scope: s.scope,
  createdBy: s.created_by,
  lastUpdatedBy: s.last_updated_by,
})

const setView = (s: SetRow) => ({ name: s.name, ...(s.description ? { description: s.description } : {}), setSize: s.set_size, createdAt: s.created_at, updatedAt: s.updated_at })

const idOf = (id: string) => {
  if (!/^\d{1,15}$/.test(id)) throw invalidInput('Template not found')
  return Number(id)
}

/** Whether a role may manage an instance option that names a manager role (admins always may). */
function mayManage(caller: Caller, managerRole: string | null): boolean {
  if (isAdmin(caller)) return true
  if (!managerRole) return false
  const rank = [ROLE.triage, ROLE.moderator, ROLE.admin]
  return caller.role === managerRole || (managerRole !== ROLE.verifier && rank.indexOf(caller.role as never) >= rank.indexOf(managerRole as never))
}

export class TeamConfig {
  constructor(private readonly ctx: ModContext) {}

  private now = () => this.ctx.now().toISOString()
  private team = () => this.ctx.teamDid() ?? ''

  listTemplates(caller: Caller) {
    assertModerator(caller, 'view list of communication template')
    return { communicationTemplates: store.listTemplates(this.ctx.db).map(templateView) }
  }

  createTemplate(caller: Caller, input: { name: string; subject: string; contentMarkdown: string; lang?: string }) {
    assertModerator(caller, 'create a communication template')
    if (store.templateByName(this.ctx.db, input.name)) throw invalidInput(`${input.name} already exists. Use a different name.`, 'DuplicateTemplateName')
    const now = this.now()
    return templateView(
      store.insertTemplate(this.ctx.db, { name: input.name, subject: input.subject, content_markdown: input.contentMarkdown, lang: input.lang ?? null, disabled: 0, created_at: now, updated_at: now, last_updated_by: caller.did }),
    )
  }

  updateTemplate(caller: Caller, input: { id: string; name?: string; subject?: string; contentMarkdown?: string; lang?: string; disabled?: boolean }) {
    assertModerator(caller, 'update a communication template')
    const existing = store.getTemplate(this.ctx.db, idOf(input.id))
    if (!existing) throw invalidInput('Template not found')
    if (input.name && input.name !== existing.name && store.templateByName(this.ctx.db, input.name)) throw invalidInput(`${input.name} already exists. Use a different name.`, 'DuplicateTemplateName')
    return templateView(
      store.updateTemplate(this.ctx.db, {
        ...existing,
        name: input.name ?? existing.name,
        subject: input.subject ?? existing.subject,
        content_markdown: input.contentMarkdown ?? existing.content_markdown,
        lang: input.lang ?? existing.lang,
        disabled: input.disabled === undefined ? existing.disabled : input.disabled ? 1 : 0,
        updated_at: this.now(),
        last_updated_by: caller.did,
      }),
    )
  }

  /** An enabled template by id (the console's email form), or null. */
  enabledTemplate(id: string): { subject: string; content: string } | null {
    const t = /^\d{1,15}$/.test(id) ? store.getTemplate(this.ctx.db, Number(id)) : null
    return t && !t.disabled ? { subject: t.subject ?? t.name, content: t.content_markdown } : null
  }

  enabledTemplates(): Array<{ id: string; name: string }> {
    return store.listTemplates(this.ctx.db).filter((t) => !t.disabled).map((t) => ({ id: String(t.id), name: t.name }))
  }

  deleteTemplate(caller: Caller, id: string) {
    assertModerator(caller, 'delete a communication template')
    if (!store.deleteTemplate(this.ctx.db, idOf(id))) throw invalidInput('Template not found')
  }

  upsertOption(caller: Caller, input: { key: string; scope: 'instance' | 'personal'; value: unknown; description?: string; managerRole?: string }) {
    const did = input.scope === 'personal' ? caller.did : ''
    if (input.scope === 'instance') {
      const existing = store.getSetting(this.ctx.db, 'instance', '', input.key)
      if (!mayManage(caller, existing?.manager_role ?? input.managerRole ?? null) || (input.managerRole && !mayManage(caller, input.managerRole))) {
        throw invalidInput(`Not permitted to manage the setting ${input.key}`)
      }
    }
    const now = this.now()
    const existing = store.getSetting(this.ctx.db, input.scope, did, input.key)
    const row = store.putSetting(this.ctx.db, {
      key: input.key,
      scope: input.scope,
      did,
      value: JSON.stringify(input.value),
      description: input.description ?? existing?.description ?? null,
      manager_role: input.scope === 'instance' ? (input.managerRole ?? existing?.manager_role ?? null) : null,
      created_by: existing?.created_by ?? caller.did,
      last_updated_by: caller.did,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    })
    return { option: settingView(row, this.team()) }
  }

  listOptions(caller: Caller, q: { scope: 'instance' | 'personal'; prefix?: string; keys?: string[]; limit: number; cursor?: string }) {
    const rows = store.listSettings(this.ctx.db, { scope: q.scope, did: q.scope === 'personal' ? caller.did : '', prefix: q.prefix, keys: q.keys, after: q.cursor, limit: q.limit })
    return { options: rows.map((r) => settingView(r, this.team())), ...(rows.length === q.limit ? { cursor: rows.at(-1)!.key } : {}) }
  }

  removeOptions(caller: Caller, input: { keys: string[]; scope: 'instance' | 'personal' }) {
    const did = input.scope === 'personal' ? caller.did : ''
    if (input.scope === 'instance') {
      for (const key of input.keys) {
        const existing = store.getSetting(this.ctx.db, 'instance', '', key)
        if (existing && !mayManage(caller, existing.manager_role)) throw invalidInput(`Not permitted to manage the setting ${key}`)
      }
    }
    store.deleteSettings(this.ctx.db, input.scope, did, input.keys)
    return {}
  }

  upsertSet(caller: Caller, input: { name: string; description?: string }) {
    assertModerator(caller, 'create or update a set')
    return setView(store.upsertSet(this.ctx.db, { name: input.name, description: input.description ?? null, now: this.now() }))
  }

  querySets(q: { namePrefix?: string; sortBy: string; sortDirection: 'asc' | 'desc'; limit: number; cursor?: string }) {
    if (q.cursor !== undefined && !/^\d{1,9}$/.test(q.cursor)) throw invalidInput('Malformed cursor')
    const offset = Number(q.cursor ?? 0)
    const rows = store.querySets(this.ctx.db, { ...q, offset, limit: q.limit })
    return { sets: rows.map(setView), ...(rows.length === q.limit ? { cursor: String(offset + rows.length) } : {}) }
  }

  private existingSet(name: string): SetRow {
    const set = store.getSet(this.ctx.db, name)
    if (!set) throw invalidInput(`Set with name ${name} does not exist`, 'SetNotFound')
    return set
  }

  addValues(caller: Caller, input: { name: string; values: string[] }) {
    assertModerator(caller, 'add values to a set')
    this.existingSet(input.name)
    this.ctx.db.transaction(() => store.addSetValues(this.ctx.db, input.name, input.values, this.now()))()
  }

  deleteValues(caller: Caller, input: { name: string; values: string[] }) {
    assertModerator(caller, 'remove values from a set')
    this.existingSet(input.name)
    this.ctx.db.transaction(() => store.deleteSetValues(this.ctx.db, input.name, input.values, this.now()))()
  }

  deleteSet(caller: Caller, name: string) {
    assertModerator(caller, 'delete a set')
    this.existingSet(name)
    store.deleteSet(this.ctx.db, name)
    return {}
  }

  getValues(q: { name: string; limit: number; cursor?: string }) {
    const set = this.existingSet(q.name)
    const values = store.setValues(this.ctx.db, q.name, q.cursor, q.limit)
    return { set: setView(set), values, ...(values.length === q.limit ? { cursor: values.at(-1)! } : {}) }
  }
}
