DROP TABLE calendar_feed_tokens;
DROP TABLE schedule_items;
DROP TABLE course_schedules;
