-- Rollback of 0018.index-subsystem-members-alter: drop index ix_subsystem_members_alter_id_subsystem_id.

DROP INDEX ix_subsystem_members_alter_id_subsystem_id;
