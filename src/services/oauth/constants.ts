// Lifetimes and id formats, as the reference's oauth-provider/src/constants.ts.
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY
const YEAR = 365.25 * DAY

export const TOKEN_MAX_AGE = 60 * MINUTE
export const PAR_EXPIRES_IN = 5 * MINUTE
export const AUTHORIZATION_INACTIVITY_TIMEOUT = 5 * MINUTE
/** Public clients: a session lives at most a week and must refresh at least every two days. */
export const PUBLIC_CLIENT_SESSION_LIFETIME = 1 * WEEK
export const PUBLIC_CLIENT_REFRESH_LIFETIME = 2 * DAY
/** Confidential clients (private_key_jwt): a year, refreshed at least monthly. */
export const CONFIDENTIAL_CLIENT_SESSION_LIFETIME = 1 * YEAR
export const CONFIDENTIAL_CLIENT_REFRESH_LIFETIME = YEAR / 12
export const CLIENT_ASSERTION_MAX_AGE = 1 * MINUTE
export const DPOP_NONCE_MAX_AGE = 3 * MINUTE
/** Remembered sign-ins on a device (account chooser). */
export const AUTHENTICATION_MAX_AGE = 7 * DAY
export const DEVICE_COOKIE_MAX_AGE = YEAR
export const CODE_CHALLENGE_REPLAY_TIMEFRAME = 1 * DAY
export const CLIENT_METADATA_CACHE_TTL = 10 * MINUTE
export const CLIENT_METADATA_MAX_BYTES = 64 * 1024
export const CLIENT_METADATA_TIMEOUT = 10 * SECOND
export { SECOND, MINUTE, HOUR, DAY }

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'
export const REQUEST_ID_PREFIX = 'req-'
export const CODE_PREFIX = 'cod-'
export const TOKEN_ID_PREFIX = 'tok-'
export const REFRESH_TOKEN_PREFIX = 'ref-'
export const DEVICE_ID_PREFIX = 'dev-'
export const SESSION_ID_PREFIX = 'ses-'
