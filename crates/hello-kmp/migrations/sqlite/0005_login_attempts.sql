-- Failed log-ins are counted per name, known or not, in the database, and one attempt at a time
-- holds its name (`attempt_until`), so a burst of guesses cannot pass the lock check together.
-- Tips from before routing get the desk routing would have given them (SQLite).
ALTER TABLE officers ADD COLUMN attempt_until INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_failures (
    name_hash TEXT PRIMARY KEY,
    failed_logins INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    attempt_until INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX login_failures_age ON login_failures (updated_at);

UPDATE tips SET assigned_place = COALESCE(thana_key, 'control_room') WHERE assigned_place IS NULL;
