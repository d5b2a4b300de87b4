-- One database per account (the reference PDS's actor store layout and table names).
CREATE TABLE repo_root (
  did TEXT PRIMARY KEY,
  cid TEXT NOT NULL,
  rev TEXT NOT NULL,
  indexedAt TEXT NOT NULL
) STRICT;

CREATE TABLE repo_block (
  cid TEXT PRIMARY KEY,
  repoRev TEXT NOT NULL,
  size INTEGER NOT NULL,
  content BLOB NOT NULL
) STRICT;
CREATE INDEX repo_block_repo_rev_idx ON repo_block (repoRev, cid);

CREATE TABLE record (
  uri TEXT PRIMARY KEY,
  cid TEXT NOT NULL,
  collection TEXT NOT NULL,
  rkey TEXT NOT NULL,
  repoRev TEXT NOT NULL,
  indexedAt TEXT NOT NULL,
  takedownRef TEXT
) STRICT;
CREATE INDEX record_cid_idx ON record (cid);
CREATE UNIQUE INDEX record_collection_rkey_idx ON record (collection, rkey);
CREATE INDEX record_repo_rev_idx ON record (repoRev);

CREATE TABLE blob (
  cid TEXT PRIMARY KEY,
  mimeType TEXT NOT NULL,
  size INTEGER NOT NULL,
  tempKey TEXT,
  width INTEGER,
  height INTEGER,
  createdAt TEXT NOT NULL,
  takedownRef TEXT
) STRICT;
CREATE INDEX blob_tempkey_idx ON blob (tempKey);

CREATE TABLE record_blob (
  blobCid TEXT NOT NULL,
  recordUri TEXT NOT NULL,
  PRIMARY KEY (blobCid, recordUri)
) STRICT;
CREATE INDEX record_blob_record_uri_idx ON record_blob (recordUri);

CREATE TABLE backlink (
  uri TEXT NOT NULL,
  path TEXT NOT NULL,
  linkTo TEXT NOT NULL,
  PRIMARY KEY (uri, path)
) STRICT;
CREATE INDEX backlink_link_to_idx ON backlink (path, linkTo);

CREATE TABLE account_pref (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  valueJson TEXT NOT NULL
) STRICT;
