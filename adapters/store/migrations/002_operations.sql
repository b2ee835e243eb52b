-- Failure handling: the review queue for outcomes that stay unknown, incidents for PSP news that
-- contradicts a final result, and the operators' actions on both.

ALTER TABLE operations ADD COLUMN review_since timestamptz;
CREATE INDEX operations_in_review ON operations (shop, review_since)
  WHERE review_since IS NOT NULL AND status IN ('processing', 'requires_action', 'unknown');

CREATE TABLE incidents (
  shop text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  operation_kind text NOT NULL,
  operation_id text NOT NULL,
  reference text NOT NULL,
  -- What Genstore was told, what the PSP says now, and what a person should do about it.
  reported text NOT NULL,
  psp_says text NOT NULL,
  psp_reference text,
  source text NOT NULL,
  recommended_action text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolution text,
  PRIMARY KEY (shop, id)
);
-- One open incident per operation and contradiction: a PSP repeating itself does not pile up incidents.
CREATE UNIQUE INDEX incidents_once ON incidents (shop, operation_kind, operation_id, kind) WHERE resolved_at IS NULL;

CREATE TABLE operator_actions (
  shop text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  action text NOT NULL,
  target text NOT NULL,
  reason text NOT NULL CHECK (length(trim(reason)) > 0),
  operator text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop, id)
);
