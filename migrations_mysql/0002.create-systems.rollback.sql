-- Rollback of 0002.create-systems: drop the systems table.

DROP TABLE systems;
