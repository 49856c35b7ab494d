-- Rollback of 0010.create-settings: drop the settings table.

DROP TABLE settings;
