-- The feed's position is (txid, seq) on both backends. SQLite has one writer, so commit order
-- is seq order and txid stays 0; PostgreSQL records the writing transaction (see its migration).
ALTER TABLE changes ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
CREATE INDEX changes_position ON changes (txid, seq);
CREATE INDEX changes_type_position ON changes (record_type, txid, seq);
DROP INDEX changes_type_seq;
ALTER TABLE change_horizon ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
