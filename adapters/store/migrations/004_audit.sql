-- The audit trail: an append-only, hash-chained log per shop of every state change, PSP exchange (scrubbed),
-- callback attempt and operator action. Entries are written by triggers in the same transaction as the
-- change they record, so a change without its entry cannot exist. `deno task audit verify` recomputes the
-- chains and finds any edited or deleted entry.

CREATE TABLE audit_heads (
  shop text PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL
);

CREATE TABLE audit_log (
  shop text NOT NULL,
  seq bigint NOT NULL,
  -- UTC, microseconds, as hashed.
  at text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  -- JSON text, as hashed; never card data, keys or tokens.
  payload text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (shop, seq)
);

-- hash = sha256(prev_hash|shop|seq|at|kind|subject|payload), hex; the first prev_hash is 64 zeros.
CREATE FUNCTION audit_append(p_shop text, p_kind text, p_subject text, p_payload text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  head audit_heads;
  next_seq bigint;
  stamp text := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  digest text;
BEGIN
  INSERT INTO audit_heads (shop, seq, hash) VALUES (p_shop, 0, repeat('0', 64)) ON CONFLICT (shop) DO NOTHING;
  -- The head row serialises the appends of one shop, so its chain has no forks.
  SELECT * INTO head FROM audit_heads WHERE shop = p_shop FOR UPDATE;
  next_seq := head.seq + 1;
  digest := encode(sha256(convert_to(concat_ws('|', head.hash, p_shop, next_seq::text, stamp, p_kind, p_subject,
    p_payload), 'UTF8')), 'hex');
  INSERT INTO audit_log (shop, seq, at, kind, subject, payload, prev_hash, hash)
    VALUES (p_shop, next_seq, stamp, p_kind, p_subject, p_payload, head.hash, digest);
  UPDATE audit_heads SET seq = next_seq, hash = digest WHERE shop = p_shop;
END $$;

-- Append-only: the database refuses to edit or delete an entry.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Operations: created, and every change of status, PSP reference, error or review flag.
CREATE FUNCTION audit_operations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.psp_reference IS DISTINCT FROM OLD.psp_reference
    OR NEW.error_code IS DISTINCT FROM OLD.error_code OR NEW.review_since IS DISTINCT FROM OLD.review_since THEN
    PERFORM audit_append(NEW.shop, 'operation.' || lower(TG_OP), NEW.kind || '/' || NEW.operation_id,
      json_build_object(
        'from', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'to', NEW.status,
        'reference', NEW.reference,
        'paymentId', NEW.payment_id,
        'test', NEW.test,
        'amountMinor', NEW.amount_minor,
        'currency', NEW.currency,
        'pspReference', NEW.psp_reference,
        'error', NEW.error_code,
        'review', NEW.review_since IS NOT NULL)::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_operations AFTER INSERT OR UPDATE ON operations
  FOR EACH ROW EXECUTE FUNCTION audit_operations();

-- Payments: created, and every change of state or running sums.
CREATE FUNCTION audit_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state
    OR NEW.captured_minor IS DISTINCT FROM OLD.captured_minor OR NEW.refunded_minor IS DISTINCT FROM OLD.refunded_minor
    OR NEW.capture_pending_minor IS DISTINCT FROM OLD.capture_pending_minor
    OR NEW.refund_pending_minor IS DISTINCT FROM OLD.refund_pending_minor
    OR NEW.void_pending IS DISTINCT FROM OLD.void_pending THEN
    PERFORM audit_append(NEW.shop, 'payment.' || lower(TG_OP), 'payment/' || NEW.payment_id,
      json_build_object(
        'from', CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END,
        'to', NEW.state,
        'amountMinor', NEW.amount_minor,
        'currency', NEW.currency,
        'authorizedMinor', NEW.authorized_minor,
        'capturedMinor', NEW.captured_minor,
        'refundedMinor', NEW.refunded_minor,
        'capturePendingMinor', NEW.capture_pending_minor,
        'refundPendingMinor', NEW.refund_pending_minor,
        'voidPending', NEW.void_pending)::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_payments AFTER INSERT OR UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION audit_payments();

-- Callback attempts, with their answer.
CREATE FUNCTION audit_callback_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_append(NEW.shop, 'callback.attempt', 'outbox/' || NEW.seq,
    json_build_object('attempt', NEW.attempt, 'httpStatus', NEW.http_status, 'error', NEW.error,
      'durationMs', NEW.duration_ms)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_callback_attempts AFTER INSERT ON callback_attempts
  FOR EACH ROW EXECUTE FUNCTION audit_callback_attempts();

-- Operator actions, with their reason.
CREATE FUNCTION audit_operator_actions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_append(NEW.shop, 'operator.' || NEW.action, NEW.target,
    json_build_object('operator', NEW.operator, 'reason', NEW.reason)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_operator_actions AFTER INSERT ON operator_actions
  FOR EACH ROW EXECUTE FUNCTION audit_operator_actions();

-- Incidents raised and resolved.
CREATE FUNCTION audit_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.resolved_at IS DISTINCT FROM OLD.resolved_at THEN
    PERFORM audit_append(NEW.shop, 'incident.' || CASE WHEN TG_OP = 'INSERT' THEN 'raised' ELSE 'resolved' END,
      'incident/' || NEW.id,
      json_build_object('kind', NEW.kind, 'operation', NEW.operation_kind || '/' || NEW.operation_id,
        'resolution', NEW.resolution)::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_incidents AFTER INSERT OR UPDATE ON incidents
  FOR EACH ROW EXECUTE FUNCTION audit_incidents();
