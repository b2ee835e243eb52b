-- The sealer, set-based: what it chains is unchanged (hash = sha256(prev_hash|shop|seq|at|kind|subject|payload),
-- each shop's unsealed entries in the order of their ids, after the shop's head), but a batch now reads the
-- heads with its entries, computes the hashes in memory and writes the entries and the heads with one
-- statement each, where it ran four statements an entry (insert the head, read it, update the entry, update
-- the head): a card sale's six entries cost PostgreSQL about 1.2 ms of its ~5 ms a sale.
CREATE OR REPLACE FUNCTION audit_seal(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  entry record;
  current_shop text;
  head_seq bigint;
  head_hash text;
  digest text;
  entry_shops text[] := '{}';
  entry_ids bigint[] := '{}';
  entry_seqs bigint[] := '{}';
  entry_prevs text[] := '{}';
  entry_hashes text[] := '{}';
  head_shops text[] := '{}';
  head_seqs bigint[] := '{}';
  head_hashes text[] := '{}';
BEGIN
  IF NOT pg_try_advisory_xact_lock(7262025) THEN
    RETURN 0;
  END IF;
  -- The batch is the oldest p_limit unsealed entries; each shop's are chained in id order after its head.
  FOR entry IN
    SELECT b.id, b.shop, b.at, b.kind, b.subject, b.payload, h.seq AS head_seq, h.hash AS head_hash
    FROM (SELECT id, shop, at, kind, subject, payload FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT p_limit) b
    LEFT JOIN audit_heads h ON h.shop = b.shop
    ORDER BY b.shop, b.id
  LOOP
    IF current_shop IS DISTINCT FROM entry.shop THEN
      IF current_shop IS NOT NULL THEN
        head_shops := head_shops || current_shop;
        head_seqs := head_seqs || head_seq;
        head_hashes := head_hashes || head_hash;
      END IF;
      current_shop := entry.shop;
      head_seq := coalesce(entry.head_seq, 0);
      head_hash := coalesce(entry.head_hash, repeat('0', 64));
    END IF;
    digest := encode(sha256(convert_to(concat_ws('|', head_hash, entry.shop, (head_seq + 1)::text, entry.at,
      entry.kind, entry.subject, entry.payload), 'UTF8')), 'hex');
    entry_shops := entry_shops || entry.shop;
    entry_ids := entry_ids || entry.id;
    entry_seqs := entry_seqs || (head_seq + 1);
    entry_prevs := entry_prevs || head_hash;
    entry_hashes := entry_hashes || digest;
    head_seq := head_seq + 1;
    head_hash := digest;
  END LOOP;
  IF current_shop IS NULL THEN
    RETURN 0;
  END IF;
  head_shops := head_shops || current_shop;
  head_seqs := head_seqs || head_seq;
  head_hashes := head_hashes || head_hash;
  UPDATE audit_log l SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash
    FROM unnest(entry_shops, entry_ids, entry_seqs, entry_prevs, entry_hashes) AS e(shop, id, seq, prev_hash, hash)
    WHERE l.shop = e.shop AND l.id = e.id;
  INSERT INTO audit_heads (shop, seq, hash)
    SELECT * FROM unnest(head_shops, head_seqs, head_hashes)
    ON CONFLICT (shop) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
  RETURN cardinality(entry_ids);
END $$;
