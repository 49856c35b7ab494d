-- Rollback of 0006.create-alter-groups: drop the alter_groups table.

DROP TABLE alter_groups;
