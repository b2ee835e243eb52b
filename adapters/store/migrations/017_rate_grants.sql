-- What a bucket's last take got: one statement takes tokens from every shop of a worker's pass and returns
-- each grant through RETURNING, which sees only the row as written (sql_outbox_store.ts, TAKE_TOKENS).
ALTER TABLE callback_rate ADD COLUMN granted integer NOT NULL DEFAULT 0;
