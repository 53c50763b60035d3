ALTER TABLE change_horizon DROP COLUMN txid;
CREATE INDEX changes_type_seq ON changes (record_type, seq);
DROP INDEX changes_type_position;
DROP INDEX changes_position;
ALTER TABLE changes DROP COLUMN txid;
