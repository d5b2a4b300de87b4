-- The team's own configuration: email templates (tools.ozone.communication), settings
-- (tools.ozone.setting, per instance or per member) and named sets of values (tools.ozone.set).

CREATE TABLE mod_template (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  subject TEXT,
  content_markdown TEXT NOT NULL,
  lang TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_updated_by TEXT NOT NULL
) STRICT;

-- did: '' for instance-wide options, the member's DID for personal ones.
CREATE TABLE mod_setting (
  key TEXT NOT NULL,
  scope TEXT NOT NULL,
  did TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT,
  manager_role TEXT,
  created_by TEXT NOT NULL,
  last_updated_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, did, key)
) STRICT;

CREATE TABLE mod_set (
  name TEXT PRIMARY KEY,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE mod_set_value (
  set_name TEXT NOT NULL REFERENCES mod_set (name) ON DELETE CASCADE,
  value TEXT NOT NULL,
  PRIMARY KEY (set_name, value)
) STRICT;
