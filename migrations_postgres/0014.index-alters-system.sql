-- Add index ix_alters_system_id_id on alters (system_id, id).
-- depends: 0013.index-systems-user

CREATE INDEX ix_alters_system_id_id ON alters (system_id, id);
