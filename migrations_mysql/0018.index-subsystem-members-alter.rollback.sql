-- Rollback of 0018.index-subsystem-members-alter: drop index ix_subsystem_members_alter_id_subsystem_id, restoring the FK index fk_subsystem_members_alter_id it replaced.

ALTER TABLE subsystem_members
    ADD INDEX fk_subsystem_members_alter_id (alter_id),
    DROP INDEX ix_subsystem_members_alter_id_subsystem_id;
