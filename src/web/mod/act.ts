// POST /account/mod/act: one moderation action from the subject page, as tools.ozone.moderation.emitEvent
// with the member's role (the service refuses what the role may not do).
import { field } from '../ui/form.ts'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import { DomainError } from '../../services/errors.ts'
import type { WebRequest } from '../account/context.ts'
import { asMember, MOD_BASE } from './context.ts'

const D = 'tools.ozone.moderation.defs#'

function eventOf(form: URLSearchParams): Record<string, unknown> {
  const action = form.get('action') ?? ''
  const comment = form.get('comment')?.trim() || undefined
  const hours = Number(form.get('durationInHours') || 0) || undefined
  switch (action) {
    case 'acknowledge':
      return { $type: `${D}modEventAcknowledge`, comment }
    case 'escalate':
      return { $type: `${D}modEventEscalate`, comment }
    case 'comment':
      if (!comment) throw new PageProblem(400, 'Comment missing', 'Write the comment, then add it.')
      return { $type: `${D}modEventComment`, comment }
    case 'label': {
      const vals = (form.get('labels') ?? '').split(',').map((v) => v.trim()).filter(Boolean)
      if (!vals.length) throw new PageProblem(400, 'No labels', 'Name at least one label value.')
      return { $type: `${D}modEventLabel`, createLabelVals: vals, negateLabelVals: [] }
    }
    case 'takedown':
      return { $type: `${D}modEventTakedown`, comment, durationInHours: hours }
    case 'reverseTakedown':
      return { $type: `${D}modEventReverseTakedown`, comment }
    case 'email':
      return { $type: `${D}modEventEmail`, subjectLine: form.get('subjectLine') ?? '', content: form.get('content') ?? '' }
    default:
      throw new PageProblem(400, 'Unknown action', 'That action is not one the console offers.')
  }
}

export async function submitAction(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const subject = field(r.form, 'subject')
  const event = Object.fromEntries(Object.entries(eventOf(r.form)).filter(([, v]) => v !== undefined))
  const ref = subject.startsWith('at://') ? { $type: 'com.atproto.repo.strongRef', uri: subject, cid: field(r.form, 'cid') } : { $type: 'com.atproto.admin.defs#repoRef', did: subject }
  try {
    await m.moderation.emitEvent({ event, subject: ref }, m.caller)
  } catch (err) {
    if (err instanceof DomainError) {
      const status = err.kind === 'auth-required' || err.kind === 'forbidden' ? 403 : 400
      throw new PageProblem(status, status === 403 ? 'Not allowed' : 'Not done', err.message)
    }
    throw err
  }
  return seeOther(`${MOD_BASE}/subject?s=${encodeURIComponent(subject)}&done=${encodeURIComponent(r.form.get('action') ?? '')}`)
}
