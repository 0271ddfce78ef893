-- Forum search backed by an index (issue 21). Search keeps its meaning:
-- every word of the query is a substring of the folded (lower-cased,
-- accent-folded) title or content; topics whose title holds every word
-- come first, so the folded title gets a column of its own.
ALTER TABLE forum_topics ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
-- Titles are one line: the folded title is the first line of search_text.
UPDATE forum_topics SET search_title = CASE
    WHEN instr(search_text, char(10)) > 0 THEN substr(search_text, 1, instr(search_text, char(10)) - 1)
    ELSE search_text
END;

-- An FTS5 index of both columns with the trigram tokenizer: a quoted
-- phrase matches any substring of three characters or more, as LIKE
-- '%word%' does. External content (the rows stay in forum_topics), kept
-- by triggers so that no write path, cascades included, can forget it.
CREATE VIRTUAL TABLE forum_topics_search USING fts5(
    search_title, search_text,
    content = 'forum_topics', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER forum_topics_search_insert AFTER INSERT ON forum_topics BEGIN
    INSERT INTO forum_topics_search (rowid, search_title, search_text)
        VALUES (new.id, new.search_title, new.search_text);
END;
CREATE TRIGGER forum_topics_search_delete AFTER DELETE ON forum_topics BEGIN
    INSERT INTO forum_topics_search (forum_topics_search, rowid, search_title, search_text)
        VALUES ('delete', old.id, old.search_title, old.search_text);
END;
CREATE TRIGGER forum_topics_search_update AFTER UPDATE OF search_title, search_text ON forum_topics BEGIN
    INSERT INTO forum_topics_search (forum_topics_search, rowid, search_title, search_text)
        VALUES ('delete', old.id, old.search_title, old.search_text);
    INSERT INTO forum_topics_search (rowid, search_title, search_text)
        VALUES (new.id, new.search_title, new.search_text);
END;
INSERT INTO forum_topics_search (forum_topics_search) VALUES ('rebuild');
