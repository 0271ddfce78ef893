-- Hit counters of the rate limits (failed logins, registrations, chat…):
-- one row per scope, subject (an account, an address) and fixed window.
-- Kept in the database so that a limit holds across gateway replicas; rows
-- whose window is over are purged by the job worker (`expires_at`).
CREATE TABLE throttle_counters (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
);
CREATE INDEX throttle_counters_expires_at ON throttle_counters (expires_at);
