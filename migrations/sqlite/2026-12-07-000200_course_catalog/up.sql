-- The course catalog's search and sorts (issue 20). Search keeps the
-- forum's meaning: every word of the query is a substring of the folded
-- (lower-cased, accent-folded) title and descriptions, or of the folded
-- name of the instructor.

-- A user's folded "last first" name, written by the application with the
-- names (it folds accents, which SQL cannot do on both databases). Empty
-- until then: the application folds the rows of older versions at start.
ALTER TABLE users ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
-- A course's folded title, short description and description, written by
-- the application with them (empty: not folded yet, as above).
ALTER TABLE courses ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- Its instructor's `search_name`, copied at insert by the application and
-- kept by the triggers below when the name or the instructor changes.
ALTER TABLE courses ADD COLUMN search_instructor TEXT NOT NULL DEFAULT '';

CREATE TRIGGER users_search_name_courses AFTER UPDATE OF search_name ON users
    WHEN old.search_name IS NOT new.search_name
BEGIN
    UPDATE courses SET search_instructor = new.search_name WHERE instructor_id = new.id;
END;
CREATE TRIGGER courses_instructor_search AFTER UPDATE OF instructor_id ON courses
    WHEN old.instructor_id IS NOT new.instructor_id
BEGIN
    UPDATE courses
        SET search_instructor = COALESCE((SELECT search_name FROM users WHERE id = new.instructor_id), '')
        WHERE id = new.id;
END;

-- An FTS5 index of both columns with the trigram tokenizer (as the
-- forum's): a quoted phrase matches any substring of three characters or
-- more. External content, kept by triggers so that no write path can
-- forget it.
CREATE VIRTUAL TABLE courses_search USING fts5(
    search_text, search_instructor,
    content = 'courses', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER courses_search_insert AFTER INSERT ON courses BEGIN
    INSERT INTO courses_search (rowid, search_text, search_instructor)
        VALUES (new.id, new.search_text, new.search_instructor);
END;
CREATE TRIGGER courses_search_delete AFTER DELETE ON courses BEGIN
    INSERT INTO courses_search (courses_search, rowid, search_text, search_instructor)
        VALUES ('delete', old.id, old.search_text, old.search_instructor);
END;
CREATE TRIGGER courses_search_update AFTER UPDATE OF search_text, search_instructor ON courses BEGIN
    INSERT INTO courses_search (courses_search, rowid, search_text, search_instructor)
        VALUES ('delete', old.id, old.search_text, old.search_instructor);
    INSERT INTO courses_search (rowid, search_text, search_instructor)
        VALUES (new.id, new.search_text, new.search_instructor);
END;
INSERT INTO courses_search (courses_search) VALUES ('rebuild');

-- The catalog's orders over published courses: `popular`, `title` and
-- `rating` (courses with at least 3 ratings first: the 3 is
-- catalog::RATING_SORT_MIN_COUNT); `newest` has courses_published_created_idx.
CREATE INDEX courses_published_popular_idx ON courses (is_published, enrollment_count, id);
CREATE INDEX courses_published_rating_idx ON courses
    (is_published, (rating_count >= 3), average_rating, rating_count, id);
CREATE INDEX courses_published_title_idx ON courses (is_published, lower(title), id);
