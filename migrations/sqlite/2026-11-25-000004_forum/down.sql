DROP TABLE forum_postings;
DROP TABLE forum_reports;
DROP TABLE forum_topic_views;
DROP TABLE forum_reactions;
DROP TABLE forum_replies;
DROP TABLE forum_topics;
DROP TABLE course_forums;
