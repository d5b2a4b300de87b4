-- URL safety rules (tools.ozone.safelink): the active rules, one per (url, pattern), and the audit
-- trail of every add, update and removal.

CREATE TABLE safelink_rule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  pattern TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (url, pattern)
) STRICT;

CREATE TABLE safelink_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_type TEXT NOT NULL,
  url TEXT NOT NULL,
  pattern TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX safelink_event_url ON safelink_event (url, id);
