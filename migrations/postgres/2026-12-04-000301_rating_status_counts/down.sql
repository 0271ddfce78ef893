ALTER TABLE courses DROP COLUMN rating_rejected_count;
ALTER TABLE courses DROP COLUMN rating_pending_count;
