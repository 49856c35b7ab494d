-- Rollback of 0013.index-systems-user: drop index ix_systems_user_id_id, restoring the FK index fk_systems_user_id it replaced.

ALTER TABLE systems
    ADD INDEX fk_systems_user_id (user_id),
    DROP INDEX ix_systems_user_id_id;
