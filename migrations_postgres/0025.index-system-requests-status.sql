-- Add index ix_system_requests_status_id on system_requests (status, id).
-- depends: 0024.index-system-requests-user

CREATE INDEX ix_system_requests_status_id ON system_requests (status, id);
