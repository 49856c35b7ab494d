-- Add index ix_subsystem_members_alter_id_subsystem_id on subsystem_members (alter_id, subsystem_id).
-- depends: 0017.index-alter-groups-group
-- MySQL/MariaDB: InnoDB silently drops the implicit index it created for
-- FOREIGN KEY fk_subsystem_members_alter_id once another index can serve that FK, and
-- then refuses to drop the new index (error 1553). So this statement drops the
-- FK index explicitly, and the rollback re-adds it in the same statement that
-- drops this index: up/down/up cycles always end with the same schema.

ALTER TABLE subsystem_members
    ADD INDEX ix_subsystem_members_alter_id_subsystem_id (alter_id, subsystem_id),
    DROP INDEX fk_subsystem_members_alter_id;
