-- Files being sent a piece at a time, so that a dropped connection resumes where it stopped
-- (SQLite). An upload is known by the SHA-256 of its random id, which only the sender's page
-- holds. Each piece is sealed in the blob store under its own key. Nothing here says who sends.
CREATE TABLE uploads (
    id_hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    received INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    touched_at INTEGER NOT NULL
);
CREATE INDEX uploads_touched ON uploads (touched_at);
CREATE TABLE upload_pieces (
    id_hash TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    len INTEGER NOT NULL,
    uid TEXT NOT NULL,
    key_sealed BLOB NOT NULL,
    PRIMARY KEY (id_hash, start_at)
);
