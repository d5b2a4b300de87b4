// com.atproto.repo.uploadBlob: streams the body to disk while hashing; the blob stays temporary
// until a record references it.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { authDid } from '../../../../xrpc/auth.ts'
import type { RawInput } from '../../../../xrpc/handler.ts'
import { PayloadTooLargeError } from '../../../../xrpc/errors.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'

export default defineHandler<unknown, RawInput>({
  nsid: 'com.atproto.repo.uploadBlob',
  auth: 'accessDeactivated',
  handler: async ({ input, auth, services }) => {
    const limit = services.config.service.blobUploadLimit
    if (input.length !== undefined && input.length > limit) throw PayloadTooLargeError('request entity too large')
    const did = await resolveWritableRepo(services, auth, authDid(auth) ?? '', { allowDeactivated: true })
    const blob = await services.repo.uploadBlob(did, input)
    return { blob }
  },
})
