DROP INDEX forum_reports_forum_created_idx;
DROP INDEX forum_reports_forum_status_created_idx;
CREATE INDEX forum_reports_forum_status_created_idx ON forum_reports (forum_id, status, created_at);
DROP INDEX forum_replies_topic_votes_idx;
ALTER TABLE forum_replies DROP COLUMN vote_rank;
