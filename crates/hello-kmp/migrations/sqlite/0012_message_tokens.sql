-- A tipster's message remembers the keyed hash of the form it came from (its token, the tip and
-- the text), so the same form sent again after a lost answer adds nothing a second time.
-- Officers' messages and earlier ones have none.
ALTER TABLE tip_messages ADD COLUMN idempotency_hash TEXT;
CREATE UNIQUE INDEX tip_messages_idempotency ON tip_messages (idempotency_hash);
