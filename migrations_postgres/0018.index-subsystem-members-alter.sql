-- Add index ix_subsystem_members_alter_id_subsystem_id on subsystem_members (alter_id, subsystem_id).
-- depends: 0017.index-alter-groups-group

CREATE INDEX ix_subsystem_members_alter_id_subsystem_id ON subsystem_members (alter_id, subsystem_id);
