-- Where a password session (createSession / refreshSession) is used from, for the account app's Sessions
-- view: the user agent (at most 300 characters), the client IP, when the session began (carried over on
-- each rotation) and when it was last refreshed. ISO times as the table's expiresAt; NULL on older rows.
ALTER TABLE refresh_token ADD COLUMN userAgent TEXT;
ALTER TABLE refresh_token ADD COLUMN ipAddress TEXT;
ALTER TABLE refresh_token ADD COLUMN createdAt TEXT;
ALTER TABLE refresh_token ADD COLUMN lastUsedAt TEXT;
