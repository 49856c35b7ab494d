-- Rollback of 0003.create-alters: drop the alters table.

DROP TABLE alters;
