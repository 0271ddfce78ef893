DROP INDEX schedule_items_owner_calendar_idx;
DROP TRIGGER schedule_items_owner;
ALTER TABLE schedule_items DROP COLUMN user_id;
