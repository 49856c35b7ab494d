-- Rollback of 0019.index-uploads-user: drop index ix_uploads_user_id_id.

DROP INDEX ix_uploads_user_id_id;
