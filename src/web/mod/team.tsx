/** @jsxImportSource ../ui/jsx */
// /account/mod/team: the team and roles; admins add members by handle, change a member's role, remove one.
import { ActionButton, Card, Field, Form, Notice } from '../ui/components.tsx'
import { field } from '../ui/form.ts'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import type { WebRequest } from '../account/context.ts'
import { isAdmin, ROLE } from '../../services/moderation/team.ts'
import { asMember, MOD_BASE, orRefusalPage, roleName } from './context.ts'
import { modPage } from './shell.tsx'

const PATH = `${MOD_BASE}/team`

export async function showTeam(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const { members } = await m.moderation.team.list({ limit: 100 })
  const added = r.url.searchParams.get('added')
  const changed = r.url.searchParams.get('changed')
  const removed = r.url.searchParams.get('removed')
  const lead = m.moderation.teamDid()
  return modPage(m, {
    title: 'Team',
    current: PATH,
    children: (
      <>
        <h1>Team</h1>
        {added && <Notice kind="ok">Added {added}.</Notice>}
        {changed && <Notice kind="ok">Changed the role of {changed}.</Notice>}
        {removed && <Notice kind="ok">Removed {removed} from the team.</Notice>}
        <Card title="Members">
          <ul class="items">
            {members.map((mem) => (
              <li>
                <div class="what">
                  <strong>@{mem.profile?.handle ?? mem.did}</strong> · {roleName(mem.role)}
                  {mem.disabled && ' · disabled'}
                  <div class="muted small mono">{mem.did}</div>
                </div>
                {isAdmin(m.caller) && mem.did !== lead && mem.did !== m.caller.did && (
                  <div class="member-actions">
                    <Form action={`${PATH}/role`} csrf={m.csrf} label={`Change the team role of @${mem.profile?.handle ?? mem.did}`}>
                      <input type="hidden" name="did" value={mem.did} />
                      <RoleSelect id={`role-${mem.did}`} selected={mem.role} ariaLabel={`Role of @${mem.profile?.handle ?? mem.did}`} />
                      <button type="submit" class="small secondary" aria-label={`Save role for @${mem.profile?.handle ?? mem.did}`}>
                        Save role
                      </button>
                    </Form>
                    <ActionButton
                      action={`${PATH}/remove`}
                      csrf={m.csrf}
                      hidden={{ did: mem.did }}
                      label="Remove"
                      variant="danger"
                      small
                      ariaLabel={`Remove @${mem.profile?.handle ?? mem.did} from the team`}
                    />
                  </div>
                )}
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
                <RoleSelect id="f-role" selected={ROLE.triage} />
              </div>
              <button type="submit">Add</button>
            </Form>
          </Card>
        )}
      </>
    ),
  })
}

function RoleSelect(p: { id: string; selected: string; ariaLabel?: string }) {
  return (
    <select id={p.id} name="role" aria-label={p.ariaLabel}>
      {Object.values(ROLE).map((role) => (
        <option value={role} selected={role === p.selected}>
          {roleName(role)}
        </option>
      ))}
    </select>
  )
}

const handleOf = (m: ReturnType<typeof asMember>, did: string) => m.app.services.accounts.getAccount(did, { includeDeactivated: true })?.handle ?? did

export async function changeRole(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const did = field(r.form, 'did')
  await orRefusalPage('Role not changed', () => m.moderation.team.update(m.caller, { did, role: field(r.form, 'role') }))
  return seeOther(`${PATH}?changed=${encodeURIComponent(handleOf(m, did))}`)
}

export async function removeMember(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const did = field(r.form, 'did')
  await orRefusalPage('Not removed', () => m.moderation.team.remove(m.caller, did))
  return seeOther(`${PATH}?removed=${encodeURIComponent(handleOf(m, did))}`)
}

export async function addMember(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const who = field(r.form, 'handle').replace(/^@/, '')
  const did = who.startsWith('did:') ? who : await m.app.services.accounts.resolveHandle(who)
  if (!did) throw new PageProblem(400, 'Unknown account', `No account ${who} was found.`)
  await orRefusalPage('Not added', () => m.moderation.team.add(m.caller, did, field(r.form, 'role')))
  return seeOther(`${PATH}?added=${encodeURIComponent(who)}`)
}
