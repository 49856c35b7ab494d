-- Rollback of 0012.create-api-tokens: drop the api_tokens table.

DROP TABLE api_tokens;
