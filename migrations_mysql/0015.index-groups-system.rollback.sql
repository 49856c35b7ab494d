-- Rollback of 0015.index-groups-system: drop index ix_groups_system_id_id, restoring the FK index fk_groups_system_id it replaced.

ALTER TABLE `groups`
    ADD INDEX fk_groups_system_id (system_id),
    DROP INDEX ix_groups_system_id_id;
