-- Add index ix_alter_groups_group_id_alter_id on alter_groups (group_id, alter_id).
-- depends: 0016.index-subsystems-system

CREATE INDEX ix_alter_groups_group_id_alter_id ON alter_groups (group_id, alter_id);
