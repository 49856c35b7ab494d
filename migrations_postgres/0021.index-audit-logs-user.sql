-- Add index ix_audit_logs_user_id_id on audit_logs (user_id, id).
-- depends: 0020.index-audit-logs-created

CREATE INDEX ix_audit_logs_user_id_id ON audit_logs (user_id, id);
