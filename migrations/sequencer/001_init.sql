-- The firehose's event log, as the reference PDS's repo_seq (sequencer.sqlite): `event` holds the
-- DAG-CBOR body without seq/time, which are added when the frame is built.
CREATE TABLE IF NOT EXISTS repo_seq (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL,
  eventType TEXT NOT NULL,
  event BLOB NOT NULL,
  invalidated INTEGER NOT NULL DEFAULT 0,
  sequencedAt TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS repo_seq_did_idx ON repo_seq (did);
CREATE INDEX IF NOT EXISTS repo_seq_event_type_idx ON repo_seq (eventType);
CREATE INDEX IF NOT EXISTS repo_seq_sequenced_at_index ON repo_seq (sequencedAt);
