-- Rollback of 0014.index-alters-system: drop index ix_alters_system_id_id.

DROP INDEX ix_alters_system_id_id;
