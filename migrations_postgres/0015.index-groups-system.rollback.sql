-- Rollback of 0015.index-groups-system: drop index ix_groups_system_id_id.

DROP INDEX ix_groups_system_id_id;
