-- Files sent with a tip, cleaned of metadata and sealed in the blob store (SQLite). The row keeps
-- the file's own key (sealed), its kind and size, and the SHA-256 of the stored clean copy for
-- the chain of custody.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    tip_id INTEGER NOT NULL REFERENCES tips (id),
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    key_sealed BLOB NOT NULL,
    width INTEGER,
    height INTEGER,
    metadata_removed INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_tip ON attachments (tip_id, id);
