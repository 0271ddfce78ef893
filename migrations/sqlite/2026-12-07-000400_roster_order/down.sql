DROP INDEX enrollments_course_student_sort_idx;
DROP TRIGGER users_search_name_enrollments;
DROP TRIGGER enrollments_student_sort;
ALTER TABLE enrollments DROP COLUMN student_sort;
