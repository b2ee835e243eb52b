-- Card-on-file: tokens the gateway hands to Genstore for cards a PSP stored. A token belongs to one shop,
-- one extension and one mode; it maps to the PSP's own token and the shopper reference it was stored under.
-- No PAN or CVV is ever stored: only what the PSP reports (brand, last 4 digits, expiry).

ALTER TABLE payments ADD COLUMN store_card jsonb;

CREATE TABLE card_tokens (
  shop text NOT NULL,
  token text NOT NULL,
  extension text NOT NULL,
  plugin text NOT NULL,
  test boolean NOT NULL,
  psp_token text NOT NULL,
  shopper_reference text NOT NULL,
  brand text,
  last4 text CHECK (last4 IS NULL OR last4 ~ '^[0-9]{4}$'),
  expiry_month text,
  expiry_year text,
  -- The payment that stored the card.
  payment_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, token)
);
