-- A claim token per outbox claim: a worker whose lease ran out can no longer change an entry another worker
-- has claimed (or delivered) since.
ALTER TABLE outbox ADD COLUMN claim_token text;
