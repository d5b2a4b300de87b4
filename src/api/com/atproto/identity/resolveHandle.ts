import { defineHandler } from '../../../../xrpc/handler.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'
import { baseNormalizeAndValidate } from '../../../../services/accounts/handles.ts'

export default defineHandler<{ handle: string }>({
  nsid: 'com.atproto.identity.resolveHandle',
  auth: 'none',
  handler: async ({ params, services }) => {
    const did = await services.accounts.resolveHandle(baseNormalizeAndValidate(params.handle))
    if (!did) throw InvalidRequestError('Unable to resolve handle', 'HandleNotFound')
    return { did }
  },
})
