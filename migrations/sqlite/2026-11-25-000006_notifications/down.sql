DROP TABLE jobs;
DROP TABLE forum_follows;
DROP TABLE notification_preferences;
DROP TABLE notifications;
