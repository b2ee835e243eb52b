-- Callbacks are delivered as soon as they are committed, by any gateway process: every queued callback
-- notifies channel gateway_outbox on commit (PostgreSQL folds a transaction's identical notifications into
-- one), and every process LISTENs and wakes its outbox worker. The process that queued it is also woken
-- directly, without the round trip.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gateway_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
