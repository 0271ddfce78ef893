DROP INDEX forum_topics_hidden_author_idx;
DROP INDEX forum_replies_answers_idx;
DROP INDEX forum_replies_moderated_idx;
ALTER TABLE forum_topics DROP COLUMN thread_count;
ALTER TABLE course_forums DROP COLUMN hidden_topic_count;
