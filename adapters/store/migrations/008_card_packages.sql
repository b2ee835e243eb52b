-- An ECIES card package is single-use: the fingerprint of its ephemeral public key (fresh for every package
-- Genstore makes) is kept with the payment that used it, so a captured payment request replayed to another
-- shop or under another payment id cannot charge the card again (Genstore's signature covers the body, not
-- the shop header). Kept for good: a row is small, and Genstore may retry for days.
-- Global by nature (the replay to another shop is the attack): distributed, it would be distributed by
-- fingerprint, not by shop, and looked up by it alone.
CREATE TABLE card_packages (
  fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  shop text NOT NULL,
  payment_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
