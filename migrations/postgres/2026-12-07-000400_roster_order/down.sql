DROP INDEX enrollments_course_student_sort_idx;
DROP TRIGGER users_search_name_enrollments ON users;
DROP FUNCTION mdsc_enrollments_follow_student_name();
DROP TRIGGER enrollments_student_sort ON enrollments;
DROP FUNCTION mdsc_enrollment_student_sort();
ALTER TABLE enrollments DROP COLUMN student_sort;
