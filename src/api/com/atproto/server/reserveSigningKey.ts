// com.atproto.server.reserveSigningKey: a new repo signing key held for an account about to be created
// here (public, no auth), so a migrating client can put it in its PLC operation first. Asking again for
// the same DID answers the same key, as the reference.
import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler<unknown, { did?: string }>({
  nsid: 'com.atproto.server.reserveSigningKey',
  auth: 'none',
  handler: ({ input, services }) => ({ signingKey: services.repo.reservedKeys.reserve(input.did) }),
})
