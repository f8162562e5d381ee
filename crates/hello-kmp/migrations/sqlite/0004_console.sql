-- The console issue: two-factor log-in, per-account lock-outs, staged sessions, routing rules
-- and triage fields on tips (SQLite).

-- The officer's TOTP key, sealed (NULL until enrolled); the last time step accepted, so that a
-- code cannot be used twice; failed log-ins in a row, and the lock they earn.
ALTER TABLE officers ADD COLUMN totp_sealed BLOB;
ALTER TABLE officers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officers ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officers ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;

-- Single-use recovery codes, kept as keyed hashes.
CREATE TABLE recovery_codes (
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (officer_id, code_hash)
);

-- A session is 'full' only after the second factor; before that it may only finish logging in.
-- Sessions from before two-factor log-in end here.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'code';
ALTER TABLE sessions ADD COLUMN code_passed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending_totp BLOB;
CREATE INDEX sessions_officer ON sessions (officer_id);

-- Where a tip goes: the first matching rule, the most specific first. `lead` is a place key or
-- '@thana' (the thana the tipster named); `copy_to` a place key or ''.
CREATE TABLE routing_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    category TEXT NOT NULL,
    thana_key TEXT NOT NULL,
    lead TEXT NOT NULL,
    copy_to TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    UNIQUE (category, thana_key)
);

ALTER TABLE tips ADD COLUMN copy_place TEXT REFERENCES places (key);
ALTER TABLE tips ADD COLUMN assigned_officer INTEGER REFERENCES officers (id);
ALTER TABLE tips ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tips ADD COLUMN due_at INTEGER;
ALTER TABLE tips ADD COLUMN duplicate_of INTEGER REFERENCES tips (id);
CREATE INDEX tips_desk ON tips (assigned_place, id);
CREATE INDEX tips_copy ON tips (copy_place, id);
CREATE INDEX tips_officer ON tips (assigned_officer, id);

-- A tipster's message on a duplicate lands on the original; `via_tip_id` remembers the tip it
-- was written on, so the tipster still sees it.
ALTER TABLE tip_messages ADD COLUMN via_tip_id INTEGER REFERENCES tips (id);
CREATE INDEX tip_messages_via ON tip_messages (via_tip_id);

CREATE INDEX audit_log_officer ON audit_log (officer_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
