-- A queued callback's notification names the client that queued it (its application_name, unique per
-- gateway process: postgres_driver.ts), so the process that queued it, which has already woken its own worker
-- after the commit, does not wake it a second time for its own notification and claim nothing.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gateway_outbox', coalesce(current_setting('application_name', true), ''));
  RETURN NULL;
END $$;
