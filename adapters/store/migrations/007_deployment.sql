-- What a database serves, remembered by the database itself, so that a process cannot start on the wrong one:
-- a dev process (public demo shop, generated secrets) refuses a production database, and the reverse. One row.
-- Global by nature: distributed by shop, it would be a reference table copied to every node.
CREATE TABLE deployment (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  mode text NOT NULL CHECK (mode IN ('dev', 'production')),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One value sealed under each master key that has started a gateway on this database: a process whose
-- MASTER_KEY cannot open what is sealed here refuses to start, naming the key ids, before it serves anything.
-- Global like deployment: a reference table.
CREATE TABLE master_key_checks (
  key_id text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{8}$'),
  check_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
