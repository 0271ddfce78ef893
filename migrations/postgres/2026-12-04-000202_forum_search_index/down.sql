DROP INDEX IF EXISTS forum_topics_search_title_trgm_idx;
DROP INDEX IF EXISTS forum_topics_search_text_trgm_idx;
ALTER TABLE forum_topics DROP COLUMN search_title;
