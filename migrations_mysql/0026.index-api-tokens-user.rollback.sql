-- Rollback of 0026.index-api-tokens-user: drop index ix_api_tokens_user_id_id, restoring the FK index fk_api_tokens_user_id it replaced.

ALTER TABLE api_tokens
    ADD INDEX fk_api_tokens_user_id (user_id),
    DROP INDEX ix_api_tokens_user_id_id;
