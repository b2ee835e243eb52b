-- The order description Genstore sent with a payment: offsite PSPs show it to the buyer (Mollie requires
-- one), and a query that replays the create call must send the same body.
ALTER TABLE payments ADD COLUMN description text;
