-- Rollback of 0024.index-system-requests-user: drop index ix_system_requests_user_id_id.

DROP INDEX ix_system_requests_user_id_id;
