-- Rollback of 0014.index-alters-system: drop index ix_alters_system_id_id, restoring the FK index fk_alters_system_id it replaced.

ALTER TABLE alters
    ADD INDEX fk_alters_system_id (system_id),
    DROP INDEX ix_alters_system_id_id;
