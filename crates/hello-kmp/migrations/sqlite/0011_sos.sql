-- SOS alerts (SQLite). An alert keeps only what the citizen sent: the point, its accuracy, a
-- written place and a call-back number, all sealed in `body_sealed`; nothing about the sender.
-- In the clear: whether a point came, whether it lies outside KMP's area, the thana once
-- jurisdictions are known, and a keyed hash of its square kilometre (for the per-area cap,
-- cleared once the cap's window has passed). Flags are INTEGER 0/1 and times unix seconds.
CREATE TABLE sos_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    idempotency_hash TEXT UNIQUE,
    has_location INTEGER NOT NULL,
    needs_place_check INTEGER NOT NULL DEFAULT 0,
    thana_key TEXT REFERENCES places (key),
    area_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'dispatched', 'closed')),
    body_sealed BLOB NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES officers (id),
    dispatched_at INTEGER,
    dispatched_by INTEGER REFERENCES officers (id),
    dispatch_sealed BLOB,
    closed_at INTEGER,
    closed_by INTEGER REFERENCES officers (id),
    outcome TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retain_until INTEGER NOT NULL,
    change_seq INTEGER NOT NULL
);
CREATE INDEX sos_alerts_changes ON sos_alerts (change_seq);
CREATE INDEX sos_alerts_created ON sos_alerts (created_at);
CREATE INDEX sos_alerts_area ON sos_alerts (area_hash, created_at);
CREATE INDEX sos_alerts_status ON sos_alerts (status, id);
CREATE INDEX sos_alerts_retain ON sos_alerts (retain_until);

-- The number of the latest change to any alert. Every server reads it to learn that the board
-- changed (on SQLite by polling it; on PostgreSQL when NOTIFY says so); each alert carries the
-- number of its own latest change in `change_seq`.
CREATE TABLE sos_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO sos_head (id, version) VALUES (1, 0);
