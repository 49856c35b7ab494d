-- Rollback of 0021.index-audit-logs-user: drop index ix_audit_logs_user_id_id.

DROP INDEX ix_audit_logs_user_id_id;
