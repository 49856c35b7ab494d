-- Rollback of 0025.index-system-requests-status: drop index ix_system_requests_status_id.

DROP INDEX ix_system_requests_status_id;
