-- The operator's console (/admin, issue 19): its browser sessions and the audit log of operator actions.
-- A session's id is the SHA-256 of the cookie's secret. `actor` is 'admin' (the admin password) or the
-- DID of an account named in PDS_ADMIN_HANDLES. Times are unix milliseconds.
CREATE TABLE admin_session (
  id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  createdAt INTEGER NOT NULL,
  lastSeenAt INTEGER NOT NULL,
  expiresAt INTEGER NOT NULL,
  userAgent TEXT,
  ipAddress TEXT
) STRICT;
CREATE INDEX admin_session_actor_idx ON admin_session (actor);

-- Who did what to whom, when, from where: every console action, `pds account reset-2fa` and the
-- console's sign-ins. `actor` as above ('admin' or a DID, with the handle it had then); `subject` a DID,
-- an invite code or empty; `detail` a short plain-text note (a takedown's reason, a new handle).
CREATE TABLE admin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actorHandle TEXT,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT,
  ip TEXT
) STRICT;
CREATE INDEX admin_audit_subject_idx ON admin_audit (subject);
