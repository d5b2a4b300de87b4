// The password session that re-logs in on ExpiredToken lives with the migration service.
export { AccountSession, type SessionInfo } from '../../src/services/migration/account-session.ts'
