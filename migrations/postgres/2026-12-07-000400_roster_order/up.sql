-- The roster's order by name, from an index (issue 20): each enrollment
-- carries its student's `users.search_name` (folded "last first"), set at
-- insert and kept when the name changes, so that a page of a course with
-- 100,000 students reads one page of the index instead of sorting them all.
ALTER TABLE enrollments ADD COLUMN student_sort TEXT NOT NULL DEFAULT '';
UPDATE enrollments SET student_sort = users.search_name FROM users WHERE users.id = enrollments.user_id;

CREATE FUNCTION mdsc_enrollment_student_sort() RETURNS trigger AS $$
BEGIN
    NEW.student_sort := COALESCE((SELECT search_name FROM users WHERE id = NEW.user_id), '');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrollments_student_sort BEFORE INSERT ON enrollments
    FOR EACH ROW EXECUTE FUNCTION mdsc_enrollment_student_sort();

CREATE FUNCTION mdsc_enrollments_follow_student_name() RETURNS trigger AS $$
BEGIN
    UPDATE enrollments SET student_sort = NEW.search_name WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_search_name_enrollments AFTER UPDATE OF search_name ON users
    FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name)
    EXECUTE FUNCTION mdsc_enrollments_follow_student_name();

CREATE INDEX enrollments_course_student_sort_idx ON enrollments (course_id, student_sort, id);
