-- Add index ix_audit_logs_action_id on audit_logs (action, id).
-- depends: 0021.index-audit-logs-user

CREATE INDEX ix_audit_logs_action_id ON audit_logs (action, id);
