-- What the operator console searches by, each filter with its index (docs/console.md says which serves
-- which). Pages are keyset-paginated on (created_at, shop, payment_id), newest first, so each of these ends
-- with that order and the hundredth page costs what the first does.

-- No filter, or only dates (and method or a final state, which are common: the scan stops after a page).
CREATE INDEX payments_recent ON payments (created_at DESC, shop DESC, payment_id DESC);
-- One shop's payments, with or without dates.
CREATE INDEX payments_of_shop_recent ON payments (shop, created_at DESC, payment_id DESC);
-- One shop's payments in one state (e.g. a shop's failures).
CREATE INDEX payments_of_shop_by_state ON payments (shop, state, created_at DESC, payment_id DESC);
-- Payments not final, across shops: the ones an operator looks for, a small set.
CREATE INDEX payments_unsettled ON payments (created_at DESC)
  WHERE state IN ('processing', 'requires_action', 'unknown');
-- A Genstore payment id, whichever shop it belongs to.
CREATE INDEX payments_by_payment_id ON payments (payment_id);
-- A PSP reference, of the payment or of any of its operations.
CREATE INDEX payments_by_psp_reference ON payments (psp_reference) WHERE psp_reference IS NOT NULL;
CREATE INDEX operations_by_psp_reference ON operations (psp_reference) WHERE psp_reference IS NOT NULL;

-- A payment's page: its callbacks (delivered and dead too, not only the pending ones outbox_of_payment
-- covers), its incidents, and its audit entries by subject.
CREATE INDEX outbox_of_payment_all ON outbox (shop, payment_id, seq);
CREATE INDEX incidents_of_operation ON incidents (shop, operation_id);
CREATE INDEX audit_log_of_subject ON audit_log (shop, subject, id);
