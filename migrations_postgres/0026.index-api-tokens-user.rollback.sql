-- Rollback of 0026.index-api-tokens-user: drop index ix_api_tokens_user_id_id.

DROP INDEX ix_api_tokens_user_id_id;
