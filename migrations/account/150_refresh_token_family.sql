-- Refresh-token families (issue 23): every token rotated from one login shares the family of the
-- first (NULL on older rows: the token is its own family). A rotated-out token is remembered until its
-- JWT would have expired, so presenting it after the grace window is recognised as reuse (a stolen
-- copy) and ends the whole family.
ALTER TABLE refresh_token ADD COLUMN family TEXT;
CREATE INDEX refresh_token_family_idx ON refresh_token (family);
CREATE TABLE refresh_token_spent (
  id TEXT PRIMARY KEY,
  did TEXT NOT NULL,
  family TEXT NOT NULL,
  expiresAt TEXT NOT NULL
);
CREATE INDEX refresh_token_spent_did_idx ON refresh_token_spent (did);
