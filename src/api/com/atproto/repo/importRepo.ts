// com.atproto.repo.importRepo: replace the caller's repo with a CAR (account migration).
import { defineHandler, type RawInput } from '../../../../xrpc/handler.ts'
import { authDid } from '../../../../xrpc/auth.ts'
import { InvalidRequestError, PayloadTooLargeError } from '../../../../xrpc/errors.ts'
import { resolveWritableRepo } from '../../../_util/resolve-repo.ts'

export default defineHandler<unknown, RawInput>({
  nsid: 'com.atproto.repo.importRepo',
  auth: 'accessDeactivated',
  handler: async ({ input, auth, services }) => {
    const { acceptingImports, maxImportSize } = services.config.service
    if (!acceptingImports) throw InvalidRequestError('Service is not accepting repo imports')
    if (input.length !== undefined && input.length > maxImportSize) throw PayloadTooLargeError(`Repo import is larger than ${maxImportSize} bytes`)
    const did = await resolveWritableRepo(services, auth, authDid(auth) ?? '', { allowDeactivated: true })
    await services.repo.importRepo(did, input.body, maxImportSize)
  },
})
