-- Rollback of 0024.index-system-requests-user: drop index ix_system_requests_user_id_id, restoring the FK index fk_system_requests_user_id it replaced.

ALTER TABLE system_requests
    ADD INDEX fk_system_requests_user_id (user_id),
    DROP INDEX ix_system_requests_user_id_id;
