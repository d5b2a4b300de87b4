-- Second factors (issue 18): the email code at sign-in (the lexicons' emailAuthFactor), TOTP with
-- backup codes, wrong-code lockouts, an audit trail of factor changes, and scoped app passwords.
ALTER TABLE account ADD COLUMN emailAuthFactor INTEGER NOT NULL DEFAULT 0;

-- One authenticator app per account. confirmedAt stays NULL until a first valid code finishes the
-- set-up: an unconfirmed row is no factor. lastUsedStep makes each code usable once (RFC 6238 §5.2).
CREATE TABLE totp_factor (
  did TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  createdAt TEXT NOT NULL,
  confirmedAt TEXT,
  lastUsedStep INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Single-use backup codes, stored as SHA-256 of the normalised code (they are random, 50 bits each).
CREATE TABLE backup_code (
  did TEXT NOT NULL,
  codeHash TEXT NOT NULL,
  usedAt TEXT,
  PRIMARY KEY (did, codeHash)
) STRICT;

-- Wrong second-factor codes per key ('did:…' or 'ip:…'): a window of failures, then a lockout.
CREATE TABLE factor_attempt (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  windowStart INTEGER NOT NULL,
  lockedUntil INTEGER
) STRICT;

-- Who changed which factor when (the operator's reset-2fa included).
CREATE TABLE factor_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX factor_audit_did_idx ON factor_audit (did);

-- Scoped app passwords: an OAuth-style scope string; NULL keeps the old privileged/non-privileged kind.
ALTER TABLE app_password ADD COLUMN scope TEXT;

-- WebAuthn passkeys: several per account, each with a name. id is the credential ID (base64url);
-- counter is the authenticator's signature counter (0 for most passkeys, which do not count).
CREATE TABLE passkey (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  name TEXT NOT NULL,
  publicKey BLOB NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT,
  createdAt TEXT NOT NULL,
  lastUsedAt TEXT
) STRICT;
CREATE INDEX passkey_did_idx ON passkey (did);
