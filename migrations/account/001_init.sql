-- Accounts, as the reference PDS's account.sqlite (account-manager/db/migrations 001–003), in one step.
CREATE TABLE actor (
  did TEXT PRIMARY KEY,
  handle TEXT,
  createdAt TEXT NOT NULL,
  takedownRef TEXT,
  deactivatedAt TEXT,
  deleteAfter TEXT
);
CREATE UNIQUE INDEX actor_handle_lower_idx ON actor (lower(handle));
CREATE INDEX actor_cursor_idx ON actor (createdAt, did);

CREATE TABLE account (
  did TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  passwordScrypt TEXT NOT NULL,
  emailConfirmedAt TEXT,
  invitesDisabled INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX account_email_lower_idx ON account (lower(email));

CREATE TABLE app_password (
  did TEXT NOT NULL,
  name TEXT NOT NULL,
  passwordScrypt TEXT NOT NULL,
  createdAt TEXT NOT NULL,
  privileged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (did, name)
);

CREATE TABLE invite_code (
  code TEXT PRIMARY KEY,
  availableUses INTEGER NOT NULL,
  disabled INTEGER DEFAULT 0,
  forAccount TEXT NOT NULL,
  createdBy TEXT NOT NULL,
  createdAt TEXT NOT NULL
);
CREATE INDEX invite_code_for_account_idx ON invite_code (forAccount);

CREATE TABLE invite_code_use (
  code TEXT NOT NULL,
  usedBy TEXT NOT NULL,
  usedAt TEXT NOT NULL,
  PRIMARY KEY (code, usedBy)
);

CREATE TABLE refresh_token (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  expiresAt TEXT NOT NULL,
  nextId TEXT,
  appPasswordName TEXT
);
CREATE INDEX refresh_token_did_idx ON refresh_token (did);

CREATE TABLE repo_root (
  did TEXT PRIMARY KEY,
  cid TEXT NOT NULL,
  rev TEXT NOT NULL,
  indexedAt TEXT NOT NULL
);

CREATE TABLE email_token (
  purpose TEXT NOT NULL,
  did TEXT NOT NULL,
  token TEXT NOT NULL,
  requestedAt TEXT NOT NULL,
  PRIMARY KEY (purpose, did),
  UNIQUE (purpose, token)
);
