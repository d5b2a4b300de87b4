-- Each event's wire frame (header, body, seq and time), written with the event so that replay from
-- storage sends stored bytes as they are. NULL for events stored before this column existed.
ALTER TABLE repo_seq ADD COLUMN frame BLOB;
