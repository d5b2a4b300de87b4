-- Resolved DID documents, as the reference's did_cache.sqlite.
CREATE TABLE IF NOT EXISTS did_doc (
  did TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  updatedAt INTEGER NOT NULL
);
