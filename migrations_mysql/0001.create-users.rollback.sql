-- Rollback of 0001.create-users: drop the users table.

DROP TABLE users;
