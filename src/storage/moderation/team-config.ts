// The team's configuration tables: mod_template, mod_setting, mod_set and mod_set_value.
import type { Database } from 'bun:sqlite'

export type TemplateRow = {
  id: number
  name: string
  subject: string | null
  content_markdown: string
  lang: string | null
  disabled: number
  created_at: string
  updated_at: string
  last_updated_by: string
}

export const listTemplates = (db: Database) => db.query<TemplateRow, []>('SELECT * FROM mod_template ORDER BY id').all()
export const getTemplate = (db: Database, id: number) => db.query<TemplateRow, [number]>('SELECT * FROM mod_template WHERE id = ?').get(id)
export const templateByName = (db: Database, name: string) => db.query<TemplateRow, [string]>('SELECT * FROM mod_template WHERE name = ?').get(name)

export function insertTemplate(db: Database, t: Omit<TemplateRow, 'id'>): TemplateRow {
  return db
    .query<TemplateRow, any[]>(
      'INSERT INTO mod_template (name, subject, content_markdown, lang, disabled, created_at, updated_at, last_updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
    )
    .get(t.name, t.subject, t.content_markdown, t.lang, t.disabled, t.created_at, t.updated_at, t.last_updated_by)!
}

export function updateTemplate(db: Database, t: TemplateRow): TemplateRow {
  return db
    .query<TemplateRow, any[]>(
      'UPDATE mod_template SET name = ?, subject = ?, content_markdown = ?, lang = ?, disabled = ?, updated_at = ?, last_updated_by = ? WHERE id = ? RETURNING *',
    )
    .get(t.name, t.subject, t.content_markdown, t.lang, t.disabled, t.updated_at, t.last_updated_by, t.id)!
}

export const deleteTemplate = (db: Database, id: number) => db.query('DELETE FROM mod_template WHERE id = ?').run(id).changes > 0

export type SettingRow = {
  key: string
  scope: string
  did: string
  value: string
  description: string | null
  manager_role: string | null
  created_by: string
  last_updated_by: string
  created_at: string
  updated_at: string
}

export const getSetting = (db: Database, scope: string, did: string, key: string) =>
  db.query<SettingRow, [string, string, string]>('SELECT * FROM mod_setting WHERE scope = ? AND did = ? AND key = ?').get(scope, did, key)

export function putSetting(db: Database, s: SettingRow): SettingRow {
  return db
    .query<SettingRow, any[]>(
      `INSERT INTO mod_setting (key, scope, did, value, description, manager_role, created_by, last_updated_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, did, key) DO UPDATE SET value = excluded.value, description = excluded.description,
         manager_role = excluded.manager_role, last_updated_by = excluded.last_updated_by, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .get(s.key, s.scope, s.did, s.value, s.description, s.manager_role, s.created_by, s.last_updated_by, s.created_at, s.updated_at)!
}

export function listSettings(db: Database, q: { scope: string; did: string; prefix?: string; keys?: string[]; after?: string; limit: number }): SettingRow[] {
  const where = ['scope = ?', 'did = ?']
  const args: (string | number)[] = [q.scope, q.did]
  if (q.prefix) (where.push('substr(key, 1, ?) = ?'), args.push(q.prefix.length, q.prefix))
  if (q.keys?.length) (where.push(`key IN (${q.keys.map(() => '?').join(', ')})`), args.push(...q.keys))
  if (q.after) (where.push('key > ?'), args.push(q.after))
  return db.query<SettingRow, any[]>(`SELECT * FROM mod_setting WHERE ${where.join(' AND ')} ORDER BY key LIMIT +?`).all(...args, q.limit)
}

export function deleteSettings(db: Database, scope: string, did: string, keys: string[]): void {
  if (!keys.length) return
  db.query(`DELETE FROM mod_setting WHERE scope = ? AND did = ? AND key IN (${keys.map(() => '?').join(', ')})`).run(scope, did, ...keys)
}

export type SetRow = { name: string; description: string | null; created_at: string; updated_at: string; set_size: number }

const SET_SELECT = 'SELECT s.*, (SELECT count(*) FROM mod_set_value v WHERE v.set_name = s.name) AS set_size FROM mod_set s'

export const getSet = (db: Database, name: string) => db.query<SetRow, [string]>(`${SET_SELECT} WHERE name = ?`).get(name)

export function upsertSet(db: Database, s: { name: string; description: string | null; now: string }): SetRow {
  db.query(
    'INSERT INTO mod_set (name, description, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description, updated_at = excluded.updated_at',
  ).run(s.name, s.description, s.now, s.now)
  return getSet(db, s.name)!
}

const SET_SORT: Record<string, string> = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' }

export function querySets(db: Database, q: { namePrefix?: string; sortBy: string; sortDirection: 'asc' | 'desc'; offset: number; limit: number }): SetRow[] {
  const where = q.namePrefix ? 'WHERE substr(name, 1, ?) = ?' : ''
  const args: (string | number)[] = q.namePrefix ? [q.namePrefix.length, q.namePrefix] : []
  const column = SET_SORT[q.sortBy] ?? 'name'
  return db.query<SetRow, any[]>(`${SET_SELECT} ${where} ORDER BY ${column} ${q.sortDirection === 'desc' ? 'DESC' : 'ASC'}, name LIMIT +? OFFSET +?`).all(...args, q.limit, q.offset)
}

export const deleteSet = (db: Database, name: string) => db.query('DELETE FROM mod_set WHERE name = ?').run(name).changes > 0

export function addSetValues(db: Database, name: string, values: string[], now: string): void {
  const insert = db.query('INSERT OR IGNORE INTO mod_set_value (set_name, value) VALUES (?, ?)')
  for (const v of values) insert.run(name, v)
  db.query('UPDATE mod_set SET updated_at = ? WHERE name = ?').run(now, name)
}

export function deleteSetValues(db: Database, name: string, values: string[], now: string): void {
  const del = db.query('DELETE FROM mod_set_value WHERE set_name = ? AND value = ?')
  for (const v of values) del.run(name, v)
  db.query('UPDATE mod_set SET updated_at = ? WHERE name = ?').run(now, name)
}

export function setValues(db: Database, name: string, after: string | undefined, limit: number): string[] {
  return db
    .query<{ value: string }, any[]>(`SELECT value FROM mod_set_value WHERE set_name = ? ${after !== undefined ? 'AND value > ?' : ''} ORDER BY value LIMIT +?`)
    .all(...(after !== undefined ? [name, after, limit] : [name, limit]))
    .map((r) => r.value)
}
