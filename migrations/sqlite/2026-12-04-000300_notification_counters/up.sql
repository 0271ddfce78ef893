-- Issue 21: each user's notification counts, kept by mdsc-notify in the
-- transaction of every insert, delete and read mark, so the list's total
-- and the unread badge read one row instead of counting up to 100,000.
-- Users without a row have no notification.
CREATE TABLE notification_counters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
    unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0 AND unread <= total)
);
CREATE UNIQUE INDEX notification_counters_user_id_key ON notification_counters (user_id);

-- Notifications withdrawn (a forum post hidden or deleted) are subtracted
-- here, insert-only, instead of on the counter row: the forum withdraws
-- before it updates its topic row while a new reply locks the topic before
-- the counters, and updating the counter row there could deadlock. A
-- user's rows are folded into their counter row when they mark read.
CREATE TABLE notification_counter_deltas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total INTEGER NOT NULL,
    unread INTEGER NOT NULL
);
CREATE INDEX notification_counter_deltas_user_id_idx ON notification_counter_deltas (user_id);

INSERT INTO notification_counters (user_id, total, unread)
SELECT user_id, COUNT(*), SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END)
FROM notifications
GROUP BY user_id;
