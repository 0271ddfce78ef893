DROP TRIGGER forum_topics_search_update;
DROP TRIGGER forum_topics_search_delete;
DROP TRIGGER forum_topics_search_insert;
DROP TABLE forum_topics_search;
ALTER TABLE forum_topics DROP COLUMN search_title;
