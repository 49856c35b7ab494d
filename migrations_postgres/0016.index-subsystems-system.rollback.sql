-- Rollback of 0016.index-subsystems-system: drop index ix_subsystems_system_id_id.

DROP INDEX ix_subsystems_system_id_id;
