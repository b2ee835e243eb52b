-- Who holds an open operation and what its current idempotency key may still do at the PSP:
-- sent_until caps every call that can have an effect (a pay call with the card, a modification, a
-- continue), so a PSP's "no record of this call" is believed only once no copy can still arrive;
-- claimed_by lets a retry that carries the card take over from reconciliation, which has nothing to
-- replay; action_deadline fixes when a buyer who must act has run out of time, whatever the browser
-- sends meanwhile; returns counts the buyer returns taken to the PSP, each under its own key.
ALTER TABLE operations ADD COLUMN sent_until timestamptz;
ALTER TABLE operations ADD COLUMN claimed_by text CHECK (claimed_by IN ('request', 'reconcile'));
ALTER TABLE operations ADD COLUMN action_deadline timestamptz;
ALTER TABLE operations ADD COLUMN returns integer NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN key_for text NOT NULL DEFAULT 'request' CHECK (key_for IN ('request', 'continue'));
