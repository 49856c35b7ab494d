-- Rollback of 0022.index-audit-logs-action: drop index ix_audit_logs_action_id.

DROP INDEX ix_audit_logs_action_id;
