// POST /account/mod/act: one moderation action from the subject page, as tools.ozone.moderation.emitEvent
// with the member's role (the service refuses what the role may not do).
import { field } from '../ui/form.ts'
import { PageProblem } from '../ui/errors.ts'
import { seeOther } from '../ui/render.ts'
import { DomainError } from '../../services/errors.ts'
import type { WebRequest } from '../account/context.ts'
import { asMember, MOD_BASE } from './context.ts'

const D = 'tools.ozone.moderation.defs#'

type Templates = { enabledTemplate(id: string): { subject: string; content: string } | null }

function eventOf(form: URLSearchParams, templates: Templates): Record<string, unknown> {
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
    case 'email': {
      const template = form.get('template') ? templates.enabledTemplate(form.get('template')!) : null
      if (form.get('template') && !template) throw new PageProblem(400, 'Template not found', 'That template was deleted or disabled. Reload the page and choose another.')
      const subjectLine = form.get('subjectLine')?.trim() || template?.subject
      const content = form.get('content')?.trim() || template?.content
      if (!subjectLine || !content) throw new PageProblem(400, 'Email incomplete', 'Write a subject and a message, or choose a template.')
      return { $type: `${D}modEventEmail`, subjectLine, content, comment }
    }
    default:
      throw new PageProblem(400, 'Unknown action', 'That action is not one the console offers.')
  }
}

export async function submitAction(r: WebRequest): Promise<Response> {
  const m = asMember(r)
  const subject = field(r.form, 'subject')
  const event = Object.fromEntries(Object.entries(eventOf(r.form, m.moderation.config)).filter(([, v]) => v !== undefined))
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
