-- Add index ix_audit_logs_entity_type_entity_id_id on audit_logs (entity_type, entity_id, id).
-- depends: 0022.index-audit-logs-action

CREATE INDEX ix_audit_logs_entity_type_entity_id_id ON audit_logs (entity_type, entity_id, id);
