-- Who takes part in a topic: its author and everyone who replied in it,
-- added in the transaction of the topic or the reply. A new reply notifies
-- them, read from here rather than from a scan of the thread, so posting
-- the 10,000th reply costs what the 10th did (issue 21). One stays a
-- participant when one's post is later hidden or deleted, as on most
-- forums: one took part in the conversation.
CREATE TABLE forum_topic_participants (
    topic_id INTEGER NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);
CREATE INDEX forum_topic_participants_user_id_idx ON forum_topic_participants (user_id);

INSERT INTO forum_topic_participants (topic_id, user_id, joined_at)
SELECT topic_id, user_id, MIN(created_at)
FROM (
    SELECT id AS topic_id, user_id, created_at FROM forum_topics
    UNION ALL
    SELECT topic_id, user_id, created_at FROM forum_replies
) AS posts
GROUP BY topic_id, user_id;
