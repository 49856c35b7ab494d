-- Rollback of 0016.index-subsystems-system: drop index ix_subsystems_system_id_id, restoring the FK index fk_subsystems_system_id it replaced.

ALTER TABLE subsystems
    ADD INDEX fk_subsystems_system_id (system_id),
    DROP INDEX ix_subsystems_system_id_id;
