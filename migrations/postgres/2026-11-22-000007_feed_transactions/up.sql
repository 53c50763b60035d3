-- Writers no longer take turns on a lock: each feed row records the transaction that wrote it
-- and readers serve only rows of transactions older than every transaction still running
-- (`pg_snapshot_xmin`), in (txid, seq) order. A transaction that commits after a later one
-- cannot be skipped: its rows stay unreadable until it ends, and every position a reader
-- has passed is below it. Rows from before this migration keep txid 0, so old cursors (seq
-- only) continue exactly where they were.
ALTER TABLE changes ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE changes ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX changes_position ON changes (txid, seq);
CREATE INDEX changes_type_position ON changes (record_type, txid, seq);
DROP INDEX changes_type_seq;
ALTER TABLE change_horizon ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
