-- Verifications the team grants (tools.ozone.verification): one row per app.bsky.graph.verification
-- record written into the team lead's repo, kept after revocation (the record is deleted, the row marked).
CREATE TABLE verification (
  uri TEXT PRIMARY KEY,
  cid TEXT NOT NULL,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  handle TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revoke_reason TEXT,
  revoked_by TEXT,
  revoked_at TEXT
) STRICT;
CREATE INDEX verification_created ON verification (created_at, uri);
CREATE INDEX verification_subject ON verification (subject, issuer);
