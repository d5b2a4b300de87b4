-- Browser sessions of the account web app (/account). The id is the SHA-256 of the cookie's secret, so
-- this table alone cannot sign anyone in. Times are unix milliseconds. Ended explicitly on sign-out,
-- password change, deactivation, takedown and deletion (as the OAuth sessions are).
CREATE TABLE web_session (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  createdAt INTEGER NOT NULL,
  lastSeenAt INTEGER NOT NULL,
  -- When the password was last entered in this session (sign-in or re-authentication).
  authenticatedAt INTEGER NOT NULL,
  expiresAt INTEGER NOT NULL,
  userAgent TEXT,
  ipAddress TEXT
) STRICT;
CREATE INDEX web_session_did_idx ON web_session (did);
CREATE INDEX web_session_expires_idx ON web_session (expiresAt);
