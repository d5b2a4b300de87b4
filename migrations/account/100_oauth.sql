-- OAuth provider state (authorization requests, devices, sessions/tokens, replay stores), in account.sqlite
-- as the reference's oauth tables. Times are unix milliseconds. No foreign keys to the account tables:
-- sessions are revoked explicitly (revokeAllOAuthSessions) when an account is reset, deactivated or taken down.
CREATE TABLE oauth_request (
  id TEXT PRIMARY KEY,
  clientId TEXT NOT NULL,
  clientAuth TEXT NOT NULL,
  parameters TEXT NOT NULL,
  dpopJkt TEXT,
  deviceId TEXT,
  did TEXT,
  code TEXT UNIQUE,
  expiresAt INTEGER NOT NULL
) STRICT;
CREATE INDEX oauth_request_expires_idx ON oauth_request (expiresAt);

CREATE TABLE oauth_device (
  id TEXT PRIMARY KEY,
  sessionId TEXT NOT NULL,
  userAgent TEXT,
  ipAddress TEXT NOT NULL,
  lastSeenAt INTEGER NOT NULL
) STRICT;

CREATE TABLE oauth_device_account (
  deviceId TEXT NOT NULL,
  did TEXT NOT NULL,
  authenticatedAt INTEGER NOT NULL,
  remember INTEGER NOT NULL,
  PRIMARY KEY (deviceId, did)
) STRICT;
CREATE INDEX oauth_device_account_did_idx ON oauth_device_account (did);

CREATE TABLE oauth_authorized_client (
  did TEXT NOT NULL,
  clientId TEXT NOT NULL,
  scopes TEXT NOT NULL,
  createdAt INTEGER NOT NULL,
  updatedAt INTEGER NOT NULL,
  PRIMARY KEY (did, clientId)
) STRICT;

-- One row per OAuth session; `id` is the current access token's jti and changes on each refresh.
CREATE TABLE oauth_token (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  clientId TEXT NOT NULL,
  clientAuth TEXT NOT NULL,
  deviceId TEXT,
  scope TEXT NOT NULL,
  parameters TEXT NOT NULL,
  dpopJkt TEXT,
  code TEXT UNIQUE,
  refreshToken TEXT UNIQUE,
  createdAt INTEGER NOT NULL,
  updatedAt INTEGER NOT NULL,
  expiresAt INTEGER NOT NULL
) STRICT;
CREATE INDEX oauth_token_did_idx ON oauth_token (did);
CREATE INDEX oauth_token_expires_idx ON oauth_token (expiresAt);

-- Refresh tokens already exchanged: presenting one again revokes its whole session (token family).
CREATE TABLE oauth_used_refresh_token (
  refreshToken TEXT PRIMARY KEY,
  tokenId TEXT NOT NULL,
  expiresAt INTEGER NOT NULL
) STRICT;
CREATE INDEX oauth_used_refresh_token_id_idx ON oauth_used_refresh_token (tokenId);

-- Single-use values: DPoP proof jtis, client assertion jtis, PKCE code challenges.
CREATE TABLE oauth_replay (
  namespace TEXT NOT NULL,
  value TEXT NOT NULL,
  expiresAt INTEGER NOT NULL,
  PRIMARY KEY (namespace, value)
) STRICT;
CREATE INDEX oauth_replay_expires_idx ON oauth_replay (expiresAt);
