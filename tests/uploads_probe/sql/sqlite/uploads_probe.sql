-- name: upload_audit_rows
SELECT action, entity_id, details FROM audit_logs WHERE entity_type = 'upload' ORDER BY id

-- name: upload_count
SELECT COUNT(*) FROM uploads
