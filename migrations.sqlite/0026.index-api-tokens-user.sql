-- Add index ix_api_tokens_user_id_id on api_tokens (user_id, id).
-- depends: 0025.index-system-requests-status

CREATE INDEX ix_api_tokens_user_id_id ON api_tokens (user_id, id);
