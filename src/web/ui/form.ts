// Reading a form posted by one of our own pages: same origin, urlencoded, small.
import { PageProblem } from './errors.ts'

export const MAX_FORM_BYTES = 16 * 1024

export async function readForm(req: Request, allowedOrigins: string[]): Promise<URLSearchParams> {
  const origin = req.headers.get('origin')
  if (origin && !allowedOrigins.includes(origin)) throw new PageProblem(403, 'Refused', 'This form was sent from another site, so it was not accepted.')
  if (req.headers.get('sec-fetch-site') === 'cross-site') throw new PageProblem(403, 'Refused', 'This form was sent from another site, so it was not accepted.')
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') throw new PageProblem(400, 'Unexpected form', 'The form arrived in an unexpected format. Reload the page and try again.')
  const length = Number(req.headers.get('content-length') ?? 0)
  if (length > MAX_FORM_BYTES) throw new PageProblem(413, 'Form too large', 'The form was larger than expected.')
  const text = await req.text()
  if (text.length > MAX_FORM_BYTES) throw new PageProblem(413, 'Form too large', 'The form was larger than expected.')
  return new URLSearchParams(text)
}

/** A form value, trimmed; '' when absent. Passwords are read with `raw`. */
export const field = (form: URLSearchParams, name: string) => (form.get(name) ?? '').trim()
export const raw = (form: URLSearchParams, name: string) => form.get(name) ?? ''
