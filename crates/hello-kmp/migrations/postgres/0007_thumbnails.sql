-- A small copy of each photo for the officer's tip page, made from the clean copy and sealed
-- with its own key like the photo (PostgreSQL).
ALTER TABLE attachments ADD COLUMN thumb_key_sealed BYTEA;
