-- The account app's "move your account here" wizard: where each move stands, so a closed tab or a
-- failure resumes where it stopped. The id is the SHA-256 of the wizard cookie's secret. No password is
-- kept: a run that lost its in-memory password (a restart) asks for it again. Times are unix milliseconds.
CREATE TABLE inbound_migration (
  id TEXT PRIMARY KEY,
  fromUrl TEXT NOT NULL,
  identifier TEXT NOT NULL,
  did TEXT,
  handle TEXT,
  -- running | needs-password | needs-code | needs-plc-token | failed | done
  state TEXT NOT NULL,
  -- JSON: the steps' outcomes in words and the blob progress
  progress TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  createdAt INTEGER NOT NULL,
  updatedAt INTEGER NOT NULL
) STRICT;
CREATE INDEX inbound_migration_updated_idx ON inbound_migration (updatedAt);
