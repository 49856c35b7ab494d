-- Rollback of 0017.index-alter-groups-group: drop index ix_alter_groups_group_id_alter_id, restoring the FK index fk_alter_groups_group_id it replaced.

ALTER TABLE alter_groups
    ADD INDEX fk_alter_groups_group_id (group_id),
    DROP INDEX ix_alter_groups_group_id_alter_id;
