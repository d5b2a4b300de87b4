// The errors of second-factor flows, in one place (the edge's error mapper gives them their statuses).
import { DomainError, authRequired, invalidInput } from '../errors.ts'

/** createSession without a code for an account that has a factor (the lexicon's error name, 401). */
export const factorTokenRequired = (message: string) => authRequired(message, 'AuthFactorTokenRequired')
export const invalidFactorToken = (message = 'Token is invalid') => invalidInput(message, 'InvalidToken')
export const expiredFactorToken = () => invalidInput('Token is expired', 'ExpiredToken')
export const factorLockedOut = (message: string) => new DomainError('rate-limited', message, 'RateLimitExceeded')
export const factorStateError = (message: string) => invalidInput(message)
