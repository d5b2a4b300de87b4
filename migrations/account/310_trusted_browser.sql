-- Trusted browsers (issue 18): after a second factor on the web, "remember this browser for 30 days"
-- skips the factor on that browser only. The browser keeps a random token in a cookie; id is its
-- SHA-256, so this table alone lets nobody skip anything. Bound to one account; times in unix ms.
CREATE TABLE trusted_browser (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  createdAt INTEGER NOT NULL,
  expiresAt INTEGER NOT NULL,
  lastUsedAt INTEGER,
  userAgent TEXT,
  ipAddress TEXT
) STRICT;
CREATE INDEX trusted_browser_did_idx ON trusted_browser (did);
