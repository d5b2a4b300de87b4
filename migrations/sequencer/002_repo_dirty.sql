-- Repos whose actor store may hold a commit the firehose has not announced yet: marked before the
-- commit is written, cleared once it is sequenced. After a crash only these repos are checked.
CREATE TABLE IF NOT EXISTS repo_dirty (
  did TEXT PRIMARY KEY,
  markedAt TEXT NOT NULL
) WITHOUT ROWID;
