-- Rollback of 0007.create-subsystem-members: drop the subsystem_members table.

DROP TABLE subsystem_members;
