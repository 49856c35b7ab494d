-- Rollback of 0009.create-audit-logs: drop the audit_logs table.

DROP TABLE audit_logs;
