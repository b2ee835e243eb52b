-- A transaction's last writes go to the database with its COMMIT right behind them (sql_payment_store.ts): a
-- write that must touch exactly one row is therefore checked in the statement itself, which calls this when
-- it did not, so the failure aborts the transaction in the database before the COMMIT can keep anything.
CREATE FUNCTION write_refused(message text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'P0001';
END $$;
