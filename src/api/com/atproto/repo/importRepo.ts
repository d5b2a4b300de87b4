// com.atproto.repo.importRepo: replace the caller's repo with a CAR (account migration); a full session
// only (app passwords refused), as the reference.
import { defineHandler, type RawInput } from '../../../../xrpc/handler.ts'
import { InvalidRequestError, PayloadTooLargeError } from '../../../../xrpc/errors.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'
import { requireFullAccess } from '../../../_util/accounts.ts'

export default defineHandler<unknown, RawInput>({
  nsid: 'com.atproto.repo.importRepo',
  auth: 'accessDeactivated',
  handler: async ({ input, auth, services }) => {
    const caller = requireFullAccess(auth)
    const { acceptingImports, maxImportSize } = services.config.service
    if (!acceptingImports) throw InvalidRequestError('Service is not accepting repo imports')
    if (input.length !== undefined && input.length > maxImportSize) throw PayloadTooLargeError(`Repo import is larger than ${maxImportSize} bytes`)
    const did = await resolveWritableRepo(services, auth, caller, { allowDeactivated: true })
    await services.repo.importRepo(did, input.body, maxImportSize)
  },
})
