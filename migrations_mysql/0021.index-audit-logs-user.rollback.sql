-- Rollback of 0021.index-audit-logs-user: drop index ix_audit_logs_user_id_id, restoring the FK index fk_audit_logs_user_id it replaced.

ALTER TABLE audit_logs
    ADD INDEX fk_audit_logs_user_id (user_id),
    DROP INDEX ix_audit_logs_user_id_id;
