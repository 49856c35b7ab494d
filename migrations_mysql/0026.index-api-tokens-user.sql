-- Add index ix_api_tokens_user_id_id on api_tokens (user_id, id).
-- depends: 0025.index-system-requests-status
-- MySQL/MariaDB: InnoDB silently drops the implicit index it created for
-- FOREIGN KEY fk_api_tokens_user_id once another index can serve that FK, and
-- then refuses to drop the new index (error 1553). So this statement drops the
-- FK index explicitly, and the rollback re-adds it in the same statement that
-- drops this index: up/down/up cycles always end with the same schema.

ALTER TABLE api_tokens
    ADD INDEX ix_api_tokens_user_id_id (user_id, id),
    DROP INDEX fk_api_tokens_user_id;
