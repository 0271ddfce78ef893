-- Erased accounts (issue 20, GDPR): the row stays so that forum posts and
-- chat messages keep an author (shown as a deleted user); its e-mail,
-- names, avatar and password are replaced, and this records when.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;
