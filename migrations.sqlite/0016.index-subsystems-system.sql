-- Add index ix_subsystems_system_id_id on subsystems (system_id, id).
-- depends: 0015.index-groups-system

CREATE INDEX ix_subsystems_system_id_id ON subsystems (system_id, id);
