/** @jsxImportSource ../ui/jsx */
// /account/invites: the account's invite codes, how many uses each has left and who used them.
import { Card, Copyable, When } from '../ui/components.tsx'
import { BASE, type WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'
import { accountPage } from './shell.tsx'

const PATH = `${BASE}/invites`

export function showInvites(r: WebRequest): Response {
  const s = asSignedIn(r)
  const { accounts, config } = s.app.services
  const codes = accounts.getAccountInviteCodes(s.account.did)
  const handleOf = (did: string) => accounts.getAccount(did, { includeDeactivated: true, includeTakenDown: true })?.handle ?? did
  return accountPage(s, {
    title: 'Invite codes',
    current: PATH,
    children: (
      <>
        <h1>Invite codes</h1>
        <Card title="Your codes">
          {!config.invites.required && <p class="muted">This server does not need an invite code to sign up.</p>}
          {s.account.invitesDisabled && <p>Invite codes are disabled for your account.</p>}
          {codes.length ? (
            <ul class="items">
              {codes.map((c) => {
                const left = Math.max(0, c.available - c.uses.length)
                return (
                  <li>
                    <div class="what">
                      <Copyable value={c.code} label={`invite code ${c.code}`} />
                      <div class="small">
                        {c.disabled ? <span class="badge warn">Disabled</span> : left > 0 ? <span class="badge ok">{left} use{left === 1 ? '' : 's'} left</span> : <span class="badge">Used up</span>}
                      </div>
                      {c.uses.length > 0 && (
                        <ul class="small">
                          {c.uses.map((u) => (
                            <li>
                              Used by @{handleOf(u.usedBy)} on <When at={u.usedAt} />
                            </li>
                          ))}
                        </ul>
                      )}
                    </div>
                  </li>
                )
              })}
            </ul>
          ) : (
            <p class="muted">You have no invite codes.</p>
          )}
        </Card>
      </>
    ),
  })
}
