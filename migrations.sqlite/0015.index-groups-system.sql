-- Add index ix_groups_system_id_id on groups (system_id, id).
-- depends: 0014.index-alters-system

CREATE INDEX ix_groups_system_id_id ON "groups" (system_id, id);
