-- The roster's order by name, from an index (issue 20): each enrollment
-- carries its student's `users.search_name` (folded "last first"), set at
-- insert and kept when the name changes, so that a page of a course with
-- 100,000 students reads one page of the index instead of sorting them all.
ALTER TABLE enrollments ADD COLUMN student_sort TEXT NOT NULL DEFAULT '';
UPDATE enrollments SET student_sort = COALESCE((SELECT search_name FROM users WHERE users.id = enrollments.user_id), '');

CREATE TRIGGER enrollments_student_sort AFTER INSERT ON enrollments BEGIN
    UPDATE enrollments
        SET student_sort = COALESCE((SELECT search_name FROM users WHERE id = new.user_id), '')
        WHERE id = new.id;
END;
CREATE TRIGGER users_search_name_enrollments AFTER UPDATE OF search_name ON users
    WHEN old.search_name IS NOT new.search_name
BEGIN
    UPDATE enrollments SET student_sort = new.search_name WHERE user_id = new.id;
END;

CREATE INDEX enrollments_course_student_sort_idx ON enrollments (course_id, student_sort, id);
