-- Add index ix_system_requests_user_id_id on system_requests (user_id, id).
-- depends: 0023.index-audit-logs-entity

CREATE INDEX ix_system_requests_user_id_id ON system_requests (user_id, id);
