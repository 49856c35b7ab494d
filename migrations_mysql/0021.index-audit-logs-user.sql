-- Add index ix_audit_logs_user_id_id on audit_logs (user_id, id).
-- depends: 0020.index-audit-logs-created
-- MySQL/MariaDB: InnoDB silently drops the implicit index it created for
-- FOREIGN KEY fk_audit_logs_user_id once another index can serve that FK, and
-- then refuses to drop the new index (error 1553). So this statement drops the
-- FK index explicitly, and the rollback re-adds it in the same statement that
-- drops this index: up/down/up cycles always end with the same schema.

ALTER TABLE audit_logs
    ADD INDEX ix_audit_logs_user_id_id (user_id, id),
    DROP INDEX fk_audit_logs_user_id;
