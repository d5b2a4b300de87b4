// Downloads of the account's own data: the repository as a CAR file, and one blob. A blob is served
// from our origin, so it can never run as a page here: a sandboxing CSP, no sniffing, and anything but
// a plain image is an attachment.
import { PageProblem } from '../ui/errors.ts'
import type { WebRequest } from './context.ts'
import { asSignedIn } from './router.ts'

/** Image types a browser shows inline (not SVG: it can carry script). */
export const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'])

const DOWNLOAD_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
}

/** GET /account/data/repo.car */
export function downloadRepo(r: WebRequest): Response {
  const s = asSignedIn(r)
  const repo = s.app.services.repo
  if (!repo.getRepoRoot(s.account.did)) throw new PageProblem(404, 'No repository', 'This account has no repository on this server.')
  const car = repo.exportCar(s.account.did)
  const name = `${(s.account.handle ?? s.account.did).replace(/[^a-zA-Z0-9.-]/g, '_')}-${new Date().toISOString().slice(0, 10)}.car`
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await car.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await car.return(undefined)
    },
  })
  return new Response(body, { headers: { ...DOWNLOAD_HEADERS, 'Content-Type': 'application/vnd.ipld.car', 'Content-Disposition': `attachment; filename="${name}"` } })
}

/** GET /account/data/blob?cid= */
export function downloadBlob(r: WebRequest): Response {
  const s = asSignedIn(r)
  const cid = r.url.searchParams.get('cid') ?? ''
  const blob = /^[a-z0-9]{10,100}$/.test(cid) ? s.app.services.repo.getBlobStream(s.account.did, cid) : null
  if (!blob) throw new PageProblem(404, 'Not found', 'There is no such file in your repository.')
  const inline = PREVIEW_TYPES.has(blob.mimeType)
  return new Response(blob.stream, {
    headers: {
      ...DOWNLOAD_HEADERS,
      'Content-Type': inline ? blob.mimeType : 'application/octet-stream',
      'Content-Length': String(blob.length),
      'Content-Disposition': inline ? 'inline' : `attachment; filename="${cid}"`,
    },
  })
}
