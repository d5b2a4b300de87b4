// Service auth: create and verify inter-service JWTs; read keys and endpoints from DID documents.
export { createServiceJwt, verifyServiceJwt, type ServiceJwtPayload, type CreateServiceJwtParams, type VerifyServiceJwtOptions } from './jwt.ts'
export { getSigningKey, getServiceEndpoint, type DidDocument } from '../../core/did-doc.ts'
export type { DidResolver } from './did-resolver.ts'
