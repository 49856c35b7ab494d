-- Rollback of 0020.index-audit-logs-created: drop index ix_audit_logs_created_at.

DROP INDEX ix_audit_logs_created_at ON audit_logs;
