// The errors of second-factor flows, in one place so the edge's error mapping stays in one spot.
import { AuthRequiredError, InvalidRequestError, XRPCError } from '../../xrpc/errors.ts'

/** createSession without a code for an account that has a factor (the lexicon's error name, 401). */
export const factorTokenRequired = (message: string) => AuthRequiredError(message, 'AuthFactorTokenRequired')
export const invalidFactorToken = (message = 'Token is invalid') => InvalidRequestError(message, 'InvalidToken')
export const expiredFactorToken = () => InvalidRequestError('Token is expired', 'ExpiredToken')
export const factorLockedOut = (message: string) => new XRPCError(429, 'RateLimitExceeded', message)
export const factorStateError = (message: string) => InvalidRequestError(message)
