-- Rollback of 0023.index-audit-logs-entity: drop index ix_audit_logs_entity_type_entity_id_id.

DROP INDEX ix_audit_logs_entity_type_entity_id_id ON audit_logs;
