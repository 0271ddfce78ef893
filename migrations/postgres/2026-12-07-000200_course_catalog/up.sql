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

CREATE FUNCTION mdsc_courses_follow_instructor_name() RETURNS trigger AS $$
BEGIN
    UPDATE courses SET search_instructor = NEW.search_name WHERE instructor_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_search_name_courses AFTER UPDATE OF search_name ON users
    FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name)
    EXECUTE FUNCTION mdsc_courses_follow_instructor_name();

CREATE FUNCTION mdsc_course_instructor_changed() RETURNS trigger AS $$
BEGIN
    UPDATE courses
        SET search_instructor = COALESCE((SELECT search_name FROM users WHERE id = NEW.instructor_id), '')
        WHERE id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER courses_instructor_search AFTER UPDATE OF instructor_id ON courses
    FOR EACH ROW WHEN (OLD.instructor_id IS DISTINCT FROM NEW.instructor_id)
    EXECUTE FUNCTION mdsc_course_instructor_changed();

-- Trigram GIN indexes answer `LIKE '%word%'` (see the forum's search
-- migration: without pg_trgm the catalog search reads the visible courses).
DO $$
DECLARE
    trgm_schema NAME;
BEGIN
    SELECT n.nspname INTO trgm_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX courses_search_text_trgm_idx ON courses USING gin (search_text %I.gin_trgm_ops)',
            trgm_schema);
        EXECUTE format(
            'CREATE INDEX courses_search_instructor_trgm_idx ON courses USING gin (search_instructor %I.gin_trgm_ops)',
            trgm_schema);
    END IF;
END
$$;

-- The catalog's orders over published courses: `popular`, `title` and
-- `rating` (courses with at least 3 ratings first: the 3 is
-- catalog::RATING_SORT_MIN_COUNT); `newest` has courses_published_created_idx.
CREATE INDEX courses_published_popular_idx ON courses (is_published, enrollment_count, id);
CREATE INDEX courses_published_rating_idx ON courses
    (is_published, (rating_count >= 3), average_rating, rating_count, id);
CREATE INDEX courses_published_title_idx ON courses (is_published, lower(title), id);
