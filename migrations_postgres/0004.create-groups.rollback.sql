-- Rollback of 0004.create-groups: drop the groups table.

DROP TABLE "groups";
