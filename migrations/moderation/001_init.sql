-- The bundled moderation service (src/services/moderation): Ozone's events, subject statuses, labels,
-- team, scheduled actions and settings, in moderation.sqlite beside account.sqlite.

CREATE TABLE mod_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Every moderation event, reports included; append-only.
CREATE TABLE mod_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  subject_did TEXT NOT NULL,
  subject_uri TEXT,
  subject_cid TEXT,
  subject_blob_cids TEXT NOT NULL DEFAULT '[]',
  event TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  mod_tool TEXT
) STRICT;
CREATE INDEX mod_event_subject ON mod_event (subject_did, subject_uri, id);
CREATE INDEX mod_event_creator ON mod_event (created_by, id);
CREATE INDEX mod_event_type ON mod_event (type, id);

-- One row per subject (an account: record_path ''; a record: collection/rkey).
CREATE TABLE mod_subject_status (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL,
  record_path TEXT NOT NULL DEFAULT '',
  record_cid TEXT,
  blob_cids TEXT NOT NULL DEFAULT '[]',
  review_state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_reviewed_by TEXT,
  last_reviewed_at TEXT,
  last_reported_at TEXT,
  last_appealed_at TEXT,
  takendown INTEGER NOT NULL DEFAULT 0,
  suspend_until TEXT,
  mute_until TEXT,
  mute_reporting_until TEXT,
  appealed INTEGER,
  comment TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  priority_score INTEGER,
  UNIQUE (did, record_path)
) STRICT;
CREATE INDEX mod_subject_status_review ON mod_subject_status (review_state, updated_at);
CREATE INDEX mod_subject_status_suspend ON mod_subject_status (suspend_until) WHERE suspend_until IS NOT NULL;

-- Signed labels, in the order they were issued (seq is subscribeLabels' cursor).
CREATE TABLE label (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  src TEXT NOT NULL,
  uri TEXT NOT NULL,
  cid TEXT NOT NULL DEFAULT '',
  val TEXT NOT NULL,
  neg INTEGER NOT NULL DEFAULT 0,
  cts TEXT NOT NULL,
  exp TEXT,
  sig BLOB NOT NULL
) STRICT;
CREATE INDEX label_uri ON label (uri, seq);

CREATE TABLE mod_member (
  did TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE mod_scheduled_action (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  action TEXT NOT NULL,
  did TEXT NOT NULL,
  event_data TEXT,
  execute_at TEXT,
  execute_after TEXT,
  execute_until TEXT,
  randomize_execution INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT,
  status TEXT NOT NULL,
  last_executed_at TEXT,
  last_failure_reason TEXT,
  execution_event_id INTEGER
) STRICT;
CREATE INDEX mod_scheduled_action_due ON mod_scheduled_action (status, execute_at);
