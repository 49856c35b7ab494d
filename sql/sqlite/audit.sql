-- name: list
-- newest first; every filter is optional (NULL matches all)
SELECT id, user_id, action, entity_type, entity_id, details, ip_address, user_agent, created_at
FROM audit_logs
WHERE id < :before
  AND (:action IS NULL OR action = :action)
  AND (:user_id IS NULL OR user_id = :user_id)
  AND (:entity_type IS NULL OR entity_type = :entity_type)
  AND (:entity_id IS NULL OR entity_id = :entity_id)
  AND (:since IS NULL OR created_at >= :since)
  AND (:until IS NULL OR created_at < :until)
ORDER BY id DESC
LIMIT :limit

-- name: delete_older_than
DELETE FROM audit_logs WHERE created_at < :cutoff
