-- What Ozone keeps beside an event and a subject status: an external ID for deduplication, strikes,
-- the age assurance state and where the subject's hosting stands (from account/identity/record events).

ALTER TABLE mod_event ADD COLUMN external_id TEXT;
CREATE INDEX mod_event_external_id ON mod_event (subject_did, type, external_id) WHERE external_id IS NOT NULL;
-- Strikes as the event assigned them (takedown, email, reverseTakedown); NULL when none was given.
ALTER TABLE mod_event ADD COLUMN strike_count INTEGER;
ALTER TABLE mod_event ADD COLUMN strike_expires_at TEXT;
CREATE INDEX mod_event_strikes ON mod_event (subject_did) WHERE strike_count IS NOT NULL;

ALTER TABLE mod_subject_status ADD COLUMN age_assurance_state TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE mod_subject_status ADD COLUMN age_assurance_updated_by TEXT;
ALTER TABLE mod_subject_status ADD COLUMN hosting_status TEXT;
ALTER TABLE mod_subject_status ADD COLUMN hosting_updated_at TEXT;
ALTER TABLE mod_subject_status ADD COLUMN hosting_deleted_at TEXT;
ALTER TABLE mod_subject_status ADD COLUMN hosting_deactivated_at TEXT;
ALTER TABLE mod_subject_status ADD COLUMN hosting_reactivated_at TEXT;
