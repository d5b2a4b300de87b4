/** @jsxImportSource ../ui/jsx */
// The labeler's signing key on the labels page: its did:key for everyone on the team; an admin replaces it
// (`pds moderation rotate-label-key`: a new key in the team's DID document, labels signed again as served).
import { ActionButton, Card, Notice } from '../ui/components.tsx'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import type { WebRequest } from '../account/context.ts'
import { isAdmin } from '../../services/moderation/team.ts'
import { asMember, MOD_BASE, orRefusalPage, type Member } from './context.ts'

/** The labels page it sits on (labels.tsx), and its form. */
const LABELS_PAGE = `${MOD_BASE}/labels`
export const ROTATE_KEY_PATH = `${LABELS_PAGE}/rotate-key`

export function LabelKeyCard(p: { m: Member; rotated: boolean }) {
  const key = p.m.moderation.labelKey()
  return (
    <Card title="Signing key">
      {p.rotated && <Notice kind="ok">The labeler has a new signing key, now in the team's DID document. Labels issued before are signed again with it as apps next fetch them.</Notice>}
      <p class="small">
        Labels are signed with this key (<span class="mono">#atproto_label</span> in the team's DID document): <code class="mono">{key ?? 'none yet'}</code>
      </p>
      {isAdmin(p.m.caller) && key && (
        <ActionButton action={ROTATE_KEY_PATH} csrf={p.m.csrf} label="Replace the signing key" variant="danger" small />
      )}
    </Card>
  )
}

/** POST /account/mod/labels/rotate-key (admins, with a recent password). */
export async function rotateKey(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  if (!isAdmin(m.caller)) throw new PageProblem(403, 'Key not replaced', 'Only an admin of the team can replace the labeler\'s signing key.')
  await orRefusalPage('Key not replaced', () => m.moderation.rotateLabelKey())
  return seeOther(`${LABELS_PAGE}?rotated=1`)
}
