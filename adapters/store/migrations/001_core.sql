-- Core schema of the gateway. Every table is keyed by shop first (the shop leads each primary key and
-- index), so the schema can be distributed by shop; several gateway processes share it with no other
-- coordination than row locks.

CREATE TABLE shops (
  shop text PRIMARY KEY CHECK (shop ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  -- Genstore access token for callbacks, sealed with MASTER_KEY (AAD: shop identity).
  access_token_sealed text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shop_extensions (
  shop text NOT NULL REFERENCES shops (shop) ON DELETE CASCADE,
  extension text NOT NULL CHECK (extension ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  plugin text NOT NULL,
  -- PSP credentials per mode, sealed with MASTER_KEY (AAD: shop, extension, mode). Either may be absent.
  live_credentials_sealed text,
  test_credentials_sealed text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, extension)
);

CREATE TABLE payments (
  shop text NOT NULL,
  payment_id text NOT NULL,
  extension text NOT NULL,
  plugin text NOT NULL,
  test boolean NOT NULL,
  reference text NOT NULL,
  currency text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  capture_mode text NOT NULL CHECK (capture_mode IN ('sale', 'authorize')),
  state text NOT NULL CHECK (state IN ('processing', 'requires_action', 'unknown', 'authorized', 'succeeded',
    'partially_captured', 'captured', 'voided', 'failed')),
  psp_reference text,
  authorized_minor bigint NOT NULL DEFAULT 0,
  captured_minor bigint NOT NULL DEFAULT 0,
  refunded_minor bigint NOT NULL DEFAULT 0,
  capture_pending_minor bigint NOT NULL DEFAULT 0,
  refund_pending_minor bigint NOT NULL DEFAULT 0,
  void_pending boolean NOT NULL DEFAULT false,
  genstore_return_url text,
  -- Plugin state between a redirect and its continuation, the redirect itself, and what the buyer brought back.
  resume jsonb,
  redirect jsonb,
  return_params jsonb,
  -- Card-on-file summary (token, brand, last4, expiry): never a PAN or CVV.
  card jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, payment_id),
  -- The money invariants, enforced by the database as well as the domain.
  CHECK (authorized_minor >= 0 AND captured_minor >= 0 AND refunded_minor >= 0
    AND capture_pending_minor >= 0 AND refund_pending_minor >= 0),
  CHECK (authorized_minor <= amount_minor),
  CHECK (captured_minor + capture_pending_minor <= authorized_minor),
  CHECK (refunded_minor + refund_pending_minor <= captured_minor),
  CHECK (state <> 'voided' OR captured_minor = 0)
);
CREATE UNIQUE INDEX payments_reference ON payments (shop, reference);

CREATE TABLE operations (
  shop text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('payment', 'capture', 'void', 'refund')),
  operation_id text NOT NULL,
  payment_id text NOT NULL,
  extension text NOT NULL,
  test boolean NOT NULL,
  reference text NOT NULL,
  -- Idempotency: the fingerprint of the first body and the first answer, replayed for duplicates.
  fingerprint text NOT NULL,
  answer jsonb,
  status text NOT NULL CHECK (status IN ('processing', 'requires_action', 'unknown', 'succeeded', 'failed')),
  currency text,
  amount_minor bigint CHECK (amount_minor > 0),
  amount_text text,
  psp_reference text,
  error_code text,
  error_message text,
  attempt integer NOT NULL DEFAULT 1,
  psp_idempotency_key text NOT NULL,
  next_check_at timestamptz,
  checks integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finalized_at timestamptz,
  PRIMARY KEY (shop, kind, operation_id),
  CHECK ((status IN ('succeeded', 'failed')) = (finalized_at IS NOT NULL))
);
CREATE UNIQUE INDEX operations_reference ON operations (shop, reference);
CREATE INDEX operations_of_payment ON operations (shop, payment_id);
-- Reconciliation scans only open operations, a small set.
CREATE INDEX operations_open ON operations (shop, next_check_at)
  WHERE status IN ('processing', 'requires_action', 'unknown');

-- A final result never changes: the database refuses it, whatever the application does.
CREATE FUNCTION operations_keep_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status IN ('succeeded', 'failed') THEN
      RAISE EXCEPTION 'final operation % % of shop % cannot be deleted', OLD.kind, OLD.operation_id, OLD.shop
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status IN ('succeeded', 'failed') AND (
    NEW.status IS DISTINCT FROM OLD.status OR NEW.psp_reference IS DISTINCT FROM OLD.psp_reference
    OR NEW.error_code IS DISTINCT FROM OLD.error_code OR NEW.error_message IS DISTINCT FROM OLD.error_message
    OR NEW.amount_minor IS DISTINCT FROM OLD.amount_minor OR NEW.currency IS DISTINCT FROM OLD.currency
    OR NEW.finalized_at IS DISTINCT FROM OLD.finalized_at
    OR (OLD.answer IS NOT NULL AND NEW.answer IS DISTINCT FROM OLD.answer)
  ) THEN
    RAISE EXCEPTION 'final operation % % of shop % cannot change', OLD.kind, OLD.operation_id, OLD.shop
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  -- The identity of a request and its first answer are fixed once written.
  IF NEW.fingerprint IS DISTINCT FROM OLD.fingerprint OR NEW.reference IS DISTINCT FROM OLD.reference
    OR NEW.payment_id IS DISTINCT FROM OLD.payment_id OR NEW.test IS DISTINCT FROM OLD.test
    OR (OLD.answer IS NOT NULL AND NEW.answer IS DISTINCT FROM OLD.answer) THEN
    RAISE EXCEPTION 'operation % % of shop % cannot change its identity or first answer', OLD.kind,
      OLD.operation_id, OLD.shop USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER operations_keep_final BEFORE UPDATE OR DELETE ON operations
  FOR EACH ROW EXECUTE FUNCTION operations_keep_final();

-- A payment in a terminal state keeps it; captures and refunds only ever add up.
CREATE FUNCTION payments_keep_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'payment % of shop % cannot be deleted', OLD.payment_id, OLD.shop
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.state IN ('succeeded', 'captured', 'voided', 'failed') AND NEW.state IS DISTINCT FROM OLD.state THEN
    RAISE EXCEPTION 'payment % of shop % is % and cannot become %', OLD.payment_id, OLD.shop, OLD.state, NEW.state
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.captured_minor < OLD.captured_minor OR NEW.refunded_minor < OLD.refunded_minor
    OR NEW.amount_minor <> OLD.amount_minor OR NEW.currency <> OLD.currency OR NEW.test <> OLD.test THEN
    RAISE EXCEPTION 'payment % of shop % cannot lose captures or refunds or change its amount', OLD.payment_id,
      OLD.shop USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER payments_keep_final BEFORE UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION payments_keep_final();

-- Transactional outbox of callbacks to Genstore: one row per final result, written in the same
-- transaction as the result.
CREATE TABLE outbox (
  shop text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  target_id text NOT NULL,
  payment_id text NOT NULL,
  message jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (shop, seq)
);
-- Exactly one final callback per operation.
CREATE UNIQUE INDEX outbox_once ON outbox (shop, kind, target_id);
CREATE INDEX outbox_pending ON outbox (shop, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_of_payment ON outbox (shop, payment_id, seq) WHERE status = 'pending';

-- The message of a callback never changes, so every resend is byte-identical.
CREATE FUNCTION outbox_keep_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.message IS DISTINCT FROM OLD.message OR NEW.kind IS DISTINCT FROM OLD.kind
    OR NEW.target_id IS DISTINCT FROM OLD.target_id THEN
    RAISE EXCEPTION 'callback % of shop % cannot change its message', OLD.seq, OLD.shop
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_keep_message BEFORE UPDATE ON outbox
  FOR EACH ROW EXECUTE FUNCTION outbox_keep_message();

CREATE TABLE callback_attempts (
  shop text NOT NULL,
  seq bigint NOT NULL,
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  http_status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (shop, seq, attempt)
);

-- Per-shop token bucket for callbacks, shared by every gateway process.
CREATE TABLE callback_rate (
  shop text PRIMARY KEY,
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL
);
