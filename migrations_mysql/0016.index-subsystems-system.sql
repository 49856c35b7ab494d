-- Add index ix_subsystems_system_id_id on subsystems (system_id, id).
-- depends: 0015.index-groups-system
-- MySQL/MariaDB: InnoDB silently drops the implicit index it created for
-- FOREIGN KEY fk_subsystems_system_id once another index can serve that FK, and
-- then refuses to drop the new index (error 1553). So this statement drops the
-- FK index explicitly, and the rollback re-adds it in the same statement that
-- drops this index: up/down/up cycles always end with the same schema.

ALTER TABLE subsystems
    ADD INDEX ix_subsystems_system_id_id (system_id, id),
    DROP INDEX fk_subsystems_system_id;
