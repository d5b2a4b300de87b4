// The operator sets an account's password; every session of the account ends. Admin password only.
import { defineHandler } from '../../../../xrpc/handler.ts'
import { NEW_PASSWORD_MAX_LENGTH } from '../../../../services/auth/scrypt.ts'
import { InvalidRequestError } from '../../../../xrpc/errors.ts'

export default defineHandler<unknown, { did: string; password: string }>({
  nsid: 'com.atproto.admin.updateAccountPassword',
  auth: 'admin',
  handler: async ({ input, services }) => {
    if (input.password.length > NEW_PASSWORD_MAX_LENGTH) throw InvalidRequestError('Invalid password length.')
    await services.accounts.updateAccountPassword(input.did, input.password)
  },
})
