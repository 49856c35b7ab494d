-- Rollback of 0013.index-systems-user: drop index ix_systems_user_id_id.

DROP INDEX ix_systems_user_id_id;
