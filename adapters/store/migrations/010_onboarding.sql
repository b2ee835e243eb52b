-- Merchant onboarding (contract section 9): the OAuth install's one-time states, the Genstore webhooks
-- already handled (so a repeated delivery gets the same answer and changes nothing), and redaction of the
-- card summary in callbacks already sent (GDPR).

-- A state is issued by GET /install, bound to the shop, and used at most once by GET /oauth/callback (the
-- UPDATE that sets used_at is the check). Kept until it expires, then purged.
CREATE TABLE oauth_states (
  shop text NOT NULL CHECK (shop ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  state text NOT NULL CHECK (state ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, state)
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);

-- One row per webhook delivery handled: its id (Genstore's delivery id, else a digest of topic and body) and
-- the answer given, replayed for a repeat. Written in the same transaction as the webhook's effect.
CREATE TABLE genstore_webhooks (
  shop text NOT NULL,
  delivery text NOT NULL,
  topic text NOT NULL,
  answer jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, delivery)
);
CREATE INDEX genstore_webhooks_received ON genstore_webhooks (received_at);

-- A message as a JSON object. The PostgreSQL driver stores a JSON text parameter cast to jsonb as a JSON
-- string (PGlite as the object it encodes); both read back the same, and this reads either as the object.
CREATE FUNCTION outbox_message(message jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(message) = 'string' THEN (message #>> '{}')::jsonb ELSE message END
$$;

-- A callback's message never changes, so every resend is byte-identical; the one exception is GDPR
-- redaction of a callback no longer to be sent (delivered or dead): its card summary (token, brand, last 4,
-- expiry) may be removed, and nothing else.
CREATE OR REPLACE FUNCTION outbox_keep_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind IS DISTINCT FROM OLD.kind OR NEW.target_id IS DISTINCT FROM OLD.target_id THEN
    RAISE EXCEPTION 'callback % of shop % cannot change its message', OLD.seq, OLD.shop
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.message IS DISTINCT FROM OLD.message AND NOT (
    OLD.status IN ('delivered', 'dead') AND NEW.status = OLD.status
    AND jsonb_typeof(outbox_message(OLD.message)) = 'object'
    AND outbox_message(NEW.message) = outbox_message(OLD.message) - 'card'
  ) THEN
    RAISE EXCEPTION 'callback % of shop % cannot change its message', OLD.seq, OLD.shop
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
