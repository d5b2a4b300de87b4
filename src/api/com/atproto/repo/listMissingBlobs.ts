// com.atproto.repo.listMissingBlobs: blobs records reference (after an import) but never uploaded.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { authDid } from '../../../../xrpc/auth.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'

export default defineHandler({
  nsid: 'com.atproto.repo.listMissingBlobs',
  auth: 'accessDeactivated',
  handler: async ({ params, auth, services }) => {
    const { limit, cursor } = params as { limit?: number; cursor?: string }
    const did = await resolveWritableRepo(services, auth, authDid(auth) ?? '', { allowDeactivated: true })
    const blobs = services.repo.listMissingBlobs(did, { cursor, limit: limit ?? 500 })
    return { blobs, cursor: blobs.at(-1)?.cid }
  },
})
