-- What a notification is about, when that thing can be withdrawn (issue
-- 15): a forum post that staff hide, or that is deleted, takes its
-- notifications and its e-mails not sent yet with it. `forum_topic:{id}`
-- or `forum_reply:{id}`; NULL for every other notification. The e-mail job
-- carries its notification's subject, also when the recipient turned the
-- type off in-app (no notification row to find it by).
ALTER TABLE notifications ADD COLUMN subject TEXT;
CREATE INDEX notifications_subject_idx ON notifications (subject);
ALTER TABLE jobs ADD COLUMN subject TEXT;
CREATE INDEX jobs_subject_idx ON jobs (subject);

-- Notifications written before this migration, from their data.
UPDATE notifications SET subject = 'forum_topic:' || json_extract(data, '$.topic_id')
    WHERE type = 'forum_topic' AND json_extract(data, '$.topic_id') IS NOT NULL;
UPDATE notifications SET subject = 'forum_reply:' || json_extract(data, '$.reply_id')
    WHERE type = 'forum_reply' AND json_extract(data, '$.reply_id') IS NOT NULL;
-- And their e-mails still waiting (`email:{notification id}`).
UPDATE jobs SET subject = (
        SELECT n.subject FROM notifications n WHERE jobs.job_key = 'email:' || n.id
    )
    WHERE kind = 'email' AND finished_at IS NULL;
