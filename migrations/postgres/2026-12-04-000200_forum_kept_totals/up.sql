-- Totals that the topic and reply lists read instead of counting rows
-- (issue 21), kept in the transaction of every change like the counters
-- beside them.

-- Hidden topics of the forum: staff list them, so staff's total needs them
-- next to `topic_count` (visible topics).
ALTER TABLE course_forums ADD COLUMN hidden_topic_count INTEGER NOT NULL DEFAULT 0;
-- Top-level replies of the topic (the threads a reply page lists), hidden
-- ones and deleted placeholders included.
ALTER TABLE forum_topics ADD COLUMN thread_count INTEGER NOT NULL DEFAULT 0;

UPDATE course_forums SET hidden_topic_count = (
    SELECT COUNT(*) FROM forum_topics t WHERE t.forum_id = course_forums.id AND t.is_hidden
);
UPDATE forum_topics SET thread_count = (
    SELECT COUNT(*) FROM forum_replies r WHERE r.topic_id = forum_topics.id AND r.depth = 0
);

-- The replies that may be masked for a reader (hidden, or deleted and kept
-- for their answers): few, found without reading the thread. (The depth
-- is a column rather than part of the condition: SQLite's planner then
-- prefers this index, small, to the thread's order indexes, which it
-- matches as well.)
CREATE INDEX forum_replies_moderated_idx ON forum_replies (topic_id, depth)
    WHERE is_hidden OR deleted_at IS NOT NULL;
-- A thread's answers by their top-level reply. Top-level replies have no
-- root (NULL): in a thread of mostly top-level replies, the full index on
-- root_reply_id looks to SQLite's statistics like one huge group, and it
-- scans the table instead; this one holds the answers only.
CREATE INDEX forum_replies_answers_idx ON forum_replies (root_reply_id)
    WHERE root_reply_id IS NOT NULL;
-- A reader's own hidden topics, which they see among the visible ones.
CREATE INDEX forum_topics_hidden_author_idx ON forum_topics (forum_id, user_id) WHERE is_hidden;
