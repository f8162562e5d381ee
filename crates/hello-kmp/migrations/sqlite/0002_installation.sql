-- One row that ties this database to its key file, so that a server started with another key
-- file refuses to start instead of failing to open every tip.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_check TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- A retried submission (same form token or idempotency key) can show its receipt again: the
-- receipt is kept sealed under a key derived from that token, which the server never stores.
ALTER TABLE tips ADD COLUMN receipt_sealed BLOB;
