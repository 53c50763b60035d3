ALTER TABLE change_horizon DROP COLUMN epoch;
