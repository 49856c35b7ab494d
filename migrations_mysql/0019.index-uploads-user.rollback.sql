-- Rollback of 0019.index-uploads-user: drop index ix_uploads_user_id_id, restoring the FK index fk_uploads_user_id it replaced.

ALTER TABLE uploads
    ADD INDEX fk_uploads_user_id (user_id),
    DROP INDEX ix_uploads_user_id_id;
