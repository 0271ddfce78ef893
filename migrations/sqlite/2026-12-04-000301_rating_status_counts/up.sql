-- Issue 21: how many of a course's ratings wait for moderation or were
-- rejected, kept on the course row next to rating_count (the approved
-- ones) by the same statement, so staff lists by status read their total
-- instead of counting.
ALTER TABLE courses ADD COLUMN rating_pending_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN rating_rejected_count INTEGER NOT NULL DEFAULT 0;

UPDATE courses SET
    rating_pending_count = (SELECT COUNT(*) FROM course_ratings r
                            WHERE r.course_id = courses.id AND r.status = 'pending'),
    rating_rejected_count = (SELECT COUNT(*) FROM course_ratings r
                             WHERE r.course_id = courses.id AND r.status = 'rejected');
