DROP TABLE forum_topic_participants;
