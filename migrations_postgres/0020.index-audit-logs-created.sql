-- Add index ix_audit_logs_created_at on audit_logs (created_at).
-- depends: 0019.index-uploads-user

CREATE INDEX ix_audit_logs_created_at ON audit_logs (created_at);
