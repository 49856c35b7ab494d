-- Rollback of 0017.index-alter-groups-group: drop index ix_alter_groups_group_id_alter_id.

DROP INDEX ix_alter_groups_group_id_alter_id;
