DROP INDEX jobs_subject_idx;
ALTER TABLE jobs DROP COLUMN subject;
DROP INDEX notifications_subject_idx;
ALTER TABLE notifications DROP COLUMN subject;
