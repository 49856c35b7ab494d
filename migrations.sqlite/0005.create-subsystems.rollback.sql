-- Rollback of 0005.create-subsystems: drop the subsystems table.

DROP TABLE subsystems;
