-- The outbox claim's order (sql_outbox_store.ts, DUE): pending entries by next attempt, then seq, across shops.
-- outbox_pending leads with shop (per-shop lookups), so the claim read and sorted every pending entry on each
-- pass: a backlog made every claim slower, and the slower claims grew the backlog (265 ms a claim at a few
-- thousand pending under the benchmark's fixed rate). With this index the claim reads its batch in order and
-- stops: the same cost at any backlog. Not unique, so it need not lead with shop (Citus distributes it with
-- the table).
CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE status = 'pending';
