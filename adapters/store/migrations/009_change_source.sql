-- What moved an operation, kept with every change in the audit trail, so a payment's timeline can say
-- whether the request, the PSP's answer, the buyer's return, a notification, reconciliation or an operator
-- did it.
ALTER TABLE operations ADD COLUMN last_source text CHECK (last_source IN
  ('request', 'psp_answer', 'buyer_return', 'notification', 'reconciliation', 'operator'));

CREATE OR REPLACE FUNCTION audit_operations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.psp_reference IS DISTINCT FROM OLD.psp_reference
    OR NEW.error_code IS DISTINCT FROM OLD.error_code OR NEW.review_since IS DISTINCT FROM OLD.review_since THEN
    PERFORM audit_append(NEW.shop, 'operation.' || lower(TG_OP), NEW.kind || '/' || NEW.operation_id,
      json_build_object(
        'from', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'to', NEW.status,
        'source', NEW.last_source,
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
