-- Reports as their own rows (tools.ozone.report.* and tools.ozone.queue.*, as Ozone's report,
-- report_queue, report_activity, moderator_assignment and report_stat tables): each
-- #modEventReport event gets a report with a status, a queue and an assignee.

-- Queues route new reports by subject type, collection and report type; deleting one keeps the row.
CREATE TABLE report_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  subject_types TEXT NOT NULL DEFAULT '[]',
  collection TEXT,
  report_types TEXT NOT NULL DEFAULT '[]',
  recommended_policies TEXT NOT NULL DEFAULT '[]',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  deleted_at TEXT
) STRICT;
CREATE UNIQUE INDEX report_queue_name ON report_queue (name) WHERE deleted_at IS NULL;

-- status: open, queued, assigned, escalated, closed. queue_id: NULL not routed yet, -1 no queue.
CREATE TABLE report (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER NOT NULL UNIQUE,
  queue_id INTEGER,
  queued_at TEXT,
  action_event_ids TEXT,
  action_note TEXT,
  is_muted INTEGER NOT NULL DEFAULT 0,
  is_automated INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  report_type TEXT NOT NULL,
  did TEXT NOT NULL,
  record_path TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  assigned_to TEXT,
  assigned_at TEXT,
  closed_at TEXT
) STRICT;
CREATE INDEX report_status_created ON report (status, created_at, id);
CREATE INDEX report_queue_status ON report (queue_id, status, created_at, id);
CREATE INDEX report_subject ON report (did, record_path, status);
CREATE INDEX report_assigned ON report (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX report_created ON report (created_at, report_type);

-- What happened to a report: routing, assignment, escalation, close, reopen, notes.
CREATE TABLE report_activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id INTEGER NOT NULL,
  activity_type TEXT NOT NULL,
  previous_status TEXT,
  internal_note TEXT,
  public_note TEXT,
  meta TEXT,
  is_automated INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX report_activity_report ON report_activity (report_id, created_at, id);
CREATE INDEX report_activity_created ON report_activity (created_at, id);

-- A moderator on a queue (report_id NULL) or on a report; end_at NULL: permanent.
CREATE TABLE moderator_assignment (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL,
  report_id INTEGER,
  queue_id INTEGER,
  start_at TEXT NOT NULL,
  end_at TEXT
) STRICT;
CREATE INDEX moderator_assignment_report ON moderator_assignment (report_id, end_at);
CREATE INDEX moderator_assignment_queue ON moderator_assignment (queue_id, end_at) WHERE report_id IS NULL;

-- Daily snapshots (getHistoricalStats); group: queue_id (-1 unqueued), moderator_did, report_types (JSON).
CREATE TABLE report_stat (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  computed_at TEXT NOT NULL,
  date TEXT NOT NULL,
  queue_id INTEGER,
  report_types TEXT,
  moderator_did TEXT,
  inbound_count INTEGER,
  pending_count INTEGER,
  actioned_count INTEGER,
  escalated_count INTEGER,
  action_rate INTEGER,
  avg_handling_time_sec INTEGER
) STRICT;
CREATE INDEX report_stat_group ON report_stat (date, queue_id, moderator_did, report_types);

-- Reports made before this migration: one row each, with no queue (none exist yet). A later
-- acknowledge or takedown of the subject closed it, a later escalation escalated it.
INSERT INTO report (event_id, queue_id, status, report_type, did, record_path, is_muted, created_at, updated_at, closed_at)
SELECT e.id, -1,
  CASE WHEN r.type IS NULL THEN 'open' WHEN r.type = 'tools.ozone.moderation.defs#modEventEscalate' THEN 'escalated' ELSE 'closed' END,
  coalesce(json_extract(e.event, '$.reportType'), 'com.atproto.moderation.defs#reasonOther'),
  e.subject_did,
  CASE WHEN e.subject_uri IS NULL THEN '' ELSE substr(e.subject_uri, length(e.subject_did) + 7) END,
  CASE WHEN json_extract(e.event, '$.isReporterMuted') OR json_extract(e.event, '$.isSubjectMuted') THEN 1 ELSE 0 END,
  e.created_at,
  coalesce(r.created_at, e.created_at),
  CASE WHEN r.type IS NOT NULL AND r.type != 'tools.ozone.moderation.defs#modEventEscalate' THEN r.created_at END
FROM mod_event e
LEFT JOIN mod_event r ON r.id = (
  SELECT a.id FROM mod_event a
  WHERE a.subject_did = e.subject_did AND a.subject_uri IS e.subject_uri AND a.id > e.id
    AND a.type IN ('tools.ozone.moderation.defs#modEventAcknowledge', 'tools.ozone.moderation.defs#modEventTakedown', 'tools.ozone.moderation.defs#modEventEscalate')
  ORDER BY a.id DESC LIMIT 1)
WHERE e.type = 'tools.ozone.moderation.defs#modEventReport'
ORDER BY e.id;
