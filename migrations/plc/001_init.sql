-- The local PLC directory's operation log (dev mode / tests), like plc.directory's.
CREATE TABLE plc_operation (
  did TEXT NOT NULL,
  cid TEXT NOT NULL,
  operation TEXT NOT NULL,
  nullified INTEGER NOT NULL DEFAULT 0,
  createdAt TEXT NOT NULL,
  PRIMARY KEY (did, cid)
);
CREATE INDEX plc_operation_did_created_idx ON plc_operation (did, createdAt);
