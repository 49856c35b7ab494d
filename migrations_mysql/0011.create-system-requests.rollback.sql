-- Rollback of 0011.create-system-requests: drop the system_requests table.

DROP TABLE system_requests;
