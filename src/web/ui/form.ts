// Reading a form posted by one of our own pages: same origin, urlencoded, small.
import { PageProblem } from './errors.ts'

export const MAX_FORM_BYTES = 16 * 1024

function assertOurs(req: Request, allowedOrigins: string[]) {
  const origin = req.headers.get('origin')
  if (origin && !allowedOrigins.includes(origin)) throw new PageProblem(403, 'Refused', 'This form was sent from another site, so it was not accepted.')
  if (req.headers.get('sec-fetch-site') === 'cross-site') throw new PageProblem(403, 'Refused', 'This form was sent from another site, so it was not accepted.')
}

export async function readForm(req: Request, allowedOrigins: string[]): Promise<URLSearchParams> {
  assertOurs(req, allowedOrigins)
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

/** A form with files (multipart), up to `maxBytes` in all: its fields and its files' bytes. */
export async function readUpload(req: Request, allowedOrigins: string[], maxBytes: number): Promise<{ form: URLSearchParams; files: Map<string, Uint8Array> }> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  // Without its file (script-free clients, refusals): an ordinary small form.
  if (type === 'application/x-www-form-urlencoded') return { form: await readForm(req, allowedOrigins), files: new Map() }
  assertOurs(req, allowedOrigins)
  if (type !== 'multipart/form-data') throw new PageProblem(400, 'Unexpected form', 'The form arrived in an unexpected format. Reload the page and try again.')
  const length = Number(req.headers.get('content-length') ?? NaN)
  if (!(length <= maxBytes)) throw new PageProblem(413, 'File too large', `The file was larger than this form takes (${Math.floor(maxBytes / 1048576)} MB).`)
  const data = await req.formData().catch(() => {
    throw new PageProblem(400, 'Unexpected form', 'The form could not be read. Reload the page and try again.')
  })
  const form = new URLSearchParams()
  const files = new Map<string, Uint8Array>()
  for (const [name, value] of data.entries()) {
    if (typeof value === 'string') form.append(name, value)
    else if (value.size > 0) files.set(name, new Uint8Array(await value.arrayBuffer()))
  }
  return { form, files }
}
