-- The notification queue (issue 22): every message to a person or an address is a row first, then a
-- background worker delivers it, so an acknowledged request never loses its message (kill -9 included).
CREATE TABLE notification (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  -- queued | sent | failed
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  -- Unix ms: when the worker may try next (backoff).
  nextAttemptAt INTEGER NOT NULL,
  createdAt TEXT NOT NULL,
  doneAt TEXT,
  lastError TEXT
) STRICT;
CREATE INDEX notification_due_idx ON notification (state, nextAttemptAt);
CREATE INDEX notification_did_idx ON notification (did, id);

-- One row per delivery attempt, kept after the message is done (the history people and operators see).
CREATE TABLE notification_attempt (
  notificationId INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  channel TEXT NOT NULL,
  at TEXT NOT NULL,
  ok INTEGER NOT NULL,
  error TEXT,
  PRIMARY KEY (notificationId, attempt)
) STRICT;

-- A person's channels: address, the pending verification code, when verified, and which one is preferred.
CREATE TABLE notify_channel (
  did TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  code TEXT,
  codeRequestedAt TEXT,
  verifiedAt TEXT,
  preferred INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (did, channel)
) STRICT;

-- Per-channel circuit breaker, persisted so that `pds status` can show it and a restart keeps it.
CREATE TABLE notify_breaker (
  channel TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  failures INTEGER NOT NULL,
  openedAt TEXT,
  retryAt INTEGER
) STRICT;
