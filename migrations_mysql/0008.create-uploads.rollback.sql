-- Rollback of 0008.create-uploads: drop the uploads table.

DROP TABLE uploads;
