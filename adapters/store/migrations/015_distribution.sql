-- How each table would be distributed across servers (Citus): by shop, which leads every primary key and
-- unique index (test/schema_distribution_test.ts enforces it), except these few, which say why.
COMMENT ON TABLE schema_migrations IS 'reference table: one list of applied migrations, copied to every node';
COMMENT ON TABLE deployment IS 'reference table: the one row saying which mode the database serves';
COMMENT ON TABLE master_key_checks IS 'reference table: one check value per master key, for every node';
COMMENT ON TABLE card_packages IS
  'distributed by fingerprint, not shop: a card package replayed to another shop is what it catches';
