-- The audit trail without a shared head on the request path. Until now every change of a shop appended to
-- the shop's hash chain inside its own transaction, locking the shop's one audit_heads row: all of a shop's
-- work queued on that lock. Now a change appends its entry freely (an id from a sequence, no hash), and a
-- sealer chains the unsealed entries of every shop in batches, in one short transaction every fraction of a
-- second (audit_seal below), like a transparency log's signed tree heads. What is chained stays exactly as
-- before (hash = sha256(prev_hash|shop|seq|at|kind|subject|payload)); what changes is when: an entry is
-- tamper-evident once sealed, and the window between commit and seal is the sealer's interval.

DROP TRIGGER audit_log_append_only ON audit_log;

CREATE SEQUENCE audit_log_ids;
ALTER TABLE audit_log ADD COLUMN id bigint;
UPDATE audit_log SET id = numbered.id FROM (
  SELECT shop, seq, nextval('audit_log_ids') AS id FROM (SELECT shop, seq FROM audit_log ORDER BY shop, seq) o
) numbered WHERE audit_log.shop = numbered.shop AND audit_log.seq = numbered.seq;
ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT nextval('audit_log_ids');
ALTER TABLE audit_log ALTER COLUMN id SET NOT NULL;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (shop, id);
-- The chain position and hashes, written once by the sealer.
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (shop, seq);
-- What the sealer reads: the unsealed entries, oldest first (a small set).
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL;

-- An entry's content never changes; its chain position is written once, by the sealer, and never again.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
    AND NEW.id = OLD.id AND NEW.shop = OLD.shop AND NEW.at = OLD.at AND NEW.kind = OLD.kind
    AND NEW.subject = OLD.subject AND NEW.payload = OLD.payload THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Appending takes no lock but the row's own: the entry waits, unsealed, for the sealer.
CREATE OR REPLACE FUNCTION audit_append(p_shop text, p_kind text, p_subject text, p_payload text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (shop, at, kind, subject, payload)
    VALUES (p_shop, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), p_kind,
      p_subject, p_payload);
END $$;

-- Chains up to p_limit unsealed entries, in the order of their ids, onto their shops' chains; returns how
-- many. One sealer at a time (the advisory lock); a sealer that dies mid-batch commits nothing of it. An
-- entry whose transaction commits late, after entries with higher ids were sealed, is sealed in a later batch
-- at the end of its chain: the chain's order is the order of sealing.
CREATE FUNCTION audit_seal(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  entry audit_log;
  head audit_heads;
  sealed integer := 0;
  digest text;
BEGIN
  IF NOT pg_try_advisory_xact_lock(7262025) THEN
    RETURN 0;
  END IF;
  FOR entry IN SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT p_limit LOOP
    INSERT INTO audit_heads (shop, seq, hash) VALUES (entry.shop, 0, repeat('0', 64))
      ON CONFLICT (shop) DO NOTHING;
    SELECT * INTO head FROM audit_heads WHERE shop = entry.shop;
    digest := encode(sha256(convert_to(concat_ws('|', head.hash, entry.shop, (head.seq + 1)::text, entry.at,
      entry.kind, entry.subject, entry.payload), 'UTF8')), 'hex');
    UPDATE audit_log SET seq = head.seq + 1, prev_hash = head.hash, hash = digest
      WHERE shop = entry.shop AND id = entry.id;
    UPDATE audit_heads SET seq = head.seq + 1, hash = digest WHERE shop = entry.shop;
    sealed := sealed + 1;
  END LOOP;
  RETURN sealed;
END $$;
