-- Issue 21: a student's calendar (`GET /api/calendar/events`) spans every
-- schedule they have. Each item carries its schedule's owner, kept by a
-- trigger whoever inserts it, so a page of events is one index range in
-- time order for that student, however many courses and items they have.
ALTER TABLE schedule_items ADD COLUMN user_id INTEGER;
UPDATE schedule_items SET user_id = (
    SELECT course_schedules.user_id FROM course_schedules
    WHERE course_schedules.id = schedule_items.schedule_id
);

CREATE FUNCTION schedule_items_set_owner() RETURNS trigger AS $$
BEGIN
    NEW.user_id := (SELECT user_id FROM course_schedules WHERE id = NEW.schedule_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER schedule_items_owner BEFORE INSERT ON schedule_items
    FOR EACH ROW EXECUTE FUNCTION schedule_items_set_owner();

-- An event starts at its start time, or at its due date for a deadline.
CREATE INDEX schedule_items_owner_calendar_idx
    ON schedule_items (user_id, (COALESCE(start_time, due_date)), id);
