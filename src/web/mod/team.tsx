/** @jsxImportSource ../ui/jsx */
// /account/mod/team: the team and roles; admins add members by handle.
import { Card, Field, Form, Notice } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import type { WebRequest } from '../account/context.ts'
import { DomainError } from '../../services/errors.ts'
import { isAdmin, ROLE } from '../../services/moderation/team.ts'
import { asMember, MOD_BASE, roleName } from './context.ts'
import { modPage } from './shell.tsx'

const PATH = `${MOD_BASE}/team`

export async function showTeam(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const { members } = await m.moderation.team.list({ limit: 100 })
  const added = r.url.searchParams.get('added')
  return modPage(m, {
    title: 'Team',
    current: PATH,
    children: (
      <>
        <h1>Team</h1>
        {added && <Notice kind="ok">Added {added}.</Notice>}
        <Card title="Members">
          <ul class="items">
            {members.map((mem) => (
              <li>
                <div class="what">
                  <strong>@{mem.profile?.handle ?? mem.did}</strong> · {roleName(mem.role)}
                  {mem.disabled && ' · disabled'}
                  <div class="muted small mono">{mem.did}</div>
                </div>
              </li>
            ))}
          </ul>
        </Card>
        {isAdmin(m.caller) && (
          <Card title="Add a member">
            <Form action={PATH} csrf={m.csrf} label="Add a member">
              <Field name="handle" label="Handle or DID" required spellcheck={false} />
              <div>
                <label for="f-role">Role</label>
                <select id="f-role" name="role">
                  {Object.values(ROLE).map((role) => (
                    <option value={role} selected={role === ROLE.triage}>
                      {roleName(role)}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit">Add</button>
            </Form>
          </Card>
        )}
      </>
    ),
  })
}

export async function addMember(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const who = field(r.form, 'handle').replace(/^@/, '')
  const did = who.startsWith('did:') ? who : await m.app.services.accounts.resolveHandle(who)
  if (!did) throw new PageProblem(400, 'Unknown account', `No account ${who} was found.`)
  try {
    await m.moderation.team.add(m.caller, did, field(r.form, 'role'))
  } catch (err) {
    if (err instanceof DomainError) throw new PageProblem(err.kind === 'auth-required' ? 403 : 400, 'Not added', err.message)
    throw err
  }
  return seeOther(`${PATH}?added=${encodeURIComponent(who)}`)
}
