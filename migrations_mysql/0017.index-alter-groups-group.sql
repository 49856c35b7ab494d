-- Add index ix_alter_groups_group_id_alter_id on alter_groups (group_id, alter_id).
-- depends: 0016.index-subsystems-system
-- MySQL/MariaDB: InnoDB silently drops the implicit index it created for
-- FOREIGN KEY fk_alter_groups_group_id once another index can serve that FK, and
-- then refuses to drop the new index (error 1553). So this statement drops the
-- FK index explicitly, and the rollback re-adds it in the same statement that
-- drops this index: up/down/up cycles always end with the same schema.

ALTER TABLE alter_groups
    ADD INDEX ix_alter_groups_group_id_alter_id (group_id, alter_id),
    DROP INDEX fk_alter_groups_group_id;
