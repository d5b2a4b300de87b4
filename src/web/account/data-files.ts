// Downloads of the account's own data: the repository as a CAR file, and one blob. A blob is served
// from our origin, so it can never run as a page here: a sandboxing CSP, no sniffing, and anything but
// a plain image is an attachment.
import { TAR_END_LENGTH, tarEntryLength, tarHeader, tarPadding } from '../../core/tar.ts'
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

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/avif': '.avif',
  'video/mp4': '.mp4',
}

/**
 * GET /account/data/blobs.tar: every blob in one tar archive, streamed one file at a time. Its exact
 * length is known in advance, so the browser shows the download's progress.
 */
export function downloadBlobs(r: WebRequest): Response {
  const s = asSignedIn(r)
  const repo = s.app.services.repo
  const did = s.account.did
  const blobs: Array<{ cid: string; mimeType: string; size: number }> = []
  for (let page = repo.listBlobDetails(did, { limit: 500 }); page.length; page = repo.listBlobDetails(did, { limit: 500, cursor: page.at(-1)!.cid })) blobs.push(...page)
  const length = blobs.reduce((n, b) => n + tarEntryLength(b.size), TAR_END_LENGTH)
  const mtime = Date.now() / 1000
  async function* entries(): AsyncGenerator<Uint8Array> {
    for (const b of blobs) {
      const blob = repo.getBlobStream(did, b.cid)
      // A blob deleted since the list was made still takes its announced room: zeros keep the archive valid.
      yield tarHeader(`${b.cid}${EXTENSIONS[b.mimeType] ?? ''}`, b.size, mtime)
      let sent = 0
      if (blob) {
        for await (const chunk of blob.stream) {
          const part = chunk.subarray(0, b.size - sent)
          sent += part.length
          yield part
        }
      }
      if (sent < b.size) yield new Uint8Array(b.size - sent)
      yield tarPadding(b.size)
    }
    yield new Uint8Array(TAR_END_LENGTH)
  }
  const it = entries()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await it.return(undefined)
    },
  })
  const name = `${(s.account.handle ?? did).replace(/[^a-zA-Z0-9.-]/g, '_')}-blobs-${new Date().toISOString().slice(0, 10)}.tar`
  return new Response(body, {
    headers: { ...DOWNLOAD_HEADERS, 'Content-Type': 'application/x-tar', 'Content-Length': String(length), 'Content-Disposition': `attachment; filename="${name}"` },
  })
}
