-- Reference data, officers, sessions, tips and the audit log (SQLite).
-- Flags are INTEGER 0/1 and times are unix seconds: sqlx::Any decodes neither bool nor dates.

CREATE TABLE places (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('hq', 'thana', 'unit')),
    name_bn TEXT NOT NULL,
    name_en TEXT NOT NULL,
    variants TEXT NOT NULL DEFAULT '',
    phone TEXT,
    note TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hotlines (
    number TEXT PRIMARY KEY,
    name_bn TEXT NOT NULL,
    name_en TEXT NOT NULL,
    note_bn TEXT NOT NULL DEFAULT '',
    note_en TEXT NOT NULL DEFAULT '',
    uncertain INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE officers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    place_key TEXT REFERENCES places (key),
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE tips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    receipt_hash TEXT NOT NULL UNIQUE,
    idempotency_hash TEXT UNIQUE,
    category TEXT NOT NULL,
    thana_key TEXT REFERENCES places (key),
    lat REAL,
    lon REAL,
    needs_place_check INTEGER NOT NULL DEFAULT 0,
    event_at INTEGER,
    status TEXT NOT NULL,
    assigned_place TEXT REFERENCES places (key),
    body_sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retain_until INTEGER NOT NULL
);
CREATE INDEX tips_queue ON tips (status, id);
CREATE INDEX tips_category ON tips (category, id);
CREATE INDEX tips_thana ON tips (thana_key, id);

CREATE TABLE tip_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    tip_id INTEGER NOT NULL REFERENCES tips (id),
    author TEXT NOT NULL CHECK (author IN ('tipster', 'officer', 'note')),
    officer_id INTEGER REFERENCES officers (id),
    body_sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);

CREATE TABLE tip_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id INTEGER NOT NULL REFERENCES tips (id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX tip_events_tip ON tip_events (tip_id, id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    officer_id INTEGER REFERENCES officers (id),
    action TEXT NOT NULL,
    tip_id INTEGER REFERENCES tips (id),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tip ON audit_log (tip_id, id);
