-- name: list
-- newest first; every filter is optional (NULL matches all)
SELECT id, user_id, action, entity_type, entity_id, details, ip_address, user_agent, created_at
FROM audit_logs
WHERE id < :before
  AND (CAST(:action AS VARCHAR) IS NULL OR action = :action)
  AND (CAST(:user_id AS BIGINT) IS NULL OR user_id = :user_id)
  AND (CAST(:entity_type AS VARCHAR) IS NULL OR entity_type = :entity_type)
  AND (CAST(:entity_id AS BIGINT) IS NULL OR entity_id = :entity_id)
  AND (CAST(:since AS TIMESTAMPTZ) IS NULL OR created_at >= :since)
  AND (CAST(:until AS TIMESTAMPTZ) IS NULL OR created_at < :until)
ORDER BY id DESC
LIMIT :limit

-- name: delete_older_than
DELETE FROM audit_logs WHERE created_at < :cutoff
