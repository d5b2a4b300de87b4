// com.atproto.sync.getBlob: blob bytes with the reference's security headers, and byte ranges.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError, XRPCError } from '../../../../xrpc/errors.ts'
import { checkSyncRead } from '../../../_util/sync-access.ts'
import { parseRange } from '../../../_util/range.ts'

export default defineHandler<{ did: string; cid: string }>({
  nsid: 'com.atproto.sync.getBlob',
  auth: 'none',
  handler: async (ctx) => {
    const { did, cid } = ctx.params
    await checkSyncRead(ctx, did)
    const whole = openBlob(ctx.services, did, cid)
    const headers: Record<string, string> = {
      'content-type': whole.mimeType || 'application/octet-stream',
      'accept-ranges': 'bytes',
      // Never let a browser sniff, render or run a blob: it may be HTML or script.
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename="${cid}"`,
      'content-security-policy': "default-src 'none'; sandbox",
    }
    const range = parseRange(ctx.req.headers.get('range'), whole.size)
    if (range === 'unsatisfiable') {
      void whole.stream.cancel()
      throw new XRPCError(416, 'InvalidRequest', 'Range Not Satisfiable', { 'content-range': `bytes */${whole.size}` })
    }
    if (!range) return new Response(whole.stream, { headers: { ...headers, 'content-length': String(whole.size) } })
    void whole.stream.cancel()
    const part = openBlob(ctx.services, did, cid, range)
    return new Response(part.stream, {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(part.length),
        'content-range': `bytes ${range.start}-${range.end}/${whole.size}`,
      },
    })
  },
})

function openBlob(
  services: Parameters<typeof checkSyncRead>[0]['services'],
  did: string,
  cid: string,
  range?: { start: number; end: number },
) {
  let found
  try {
    found = services.repo.getBlobStream(did, cid, range)
  } catch (err) {
    if ((err as Error).name === 'BlobNotFoundError') throw InvalidRequestError('Blob not found', 'BlobNotFound')
    throw err
  }
  if (!found) throw InvalidRequestError('Blob not found', 'BlobNotFound')
  return found
}
