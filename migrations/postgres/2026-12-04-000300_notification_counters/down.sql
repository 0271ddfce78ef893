DROP TABLE notification_counter_deltas;
DROP TABLE notification_counters;
