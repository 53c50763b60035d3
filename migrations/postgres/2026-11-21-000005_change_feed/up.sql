-- The change feed: the latest change of every record, in commit order. Each write replaces
-- the record's row, so the table stays one row per record (deleted ones as tombstones).
CREATE TABLE changes (
    seq         BIGSERIAL PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    version     BIGINT,
    at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX changes_record ON changes (record_type, record_id);
CREATE INDEX changes_type_seq ON changes (record_type, seq);

-- Tombstones at or below this seq have been purged: older cursors must resync.
CREATE TABLE change_horizon (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO change_horizon (id, seq) VALUES (1, 0);

-- Records that exist already enter the feed once, in a stable order.
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'country', code, 'created', version, updated_at FROM countries ORDER BY code;
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'organisation', id, 'created', version, updated_at FROM organisations ORDER BY id;
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'coalition', id, 'created', version, updated_at FROM coalitions ORDER BY id;
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'membership', id, 'created', version, updated_at FROM memberships ORDER BY id;
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'initiative', id, 'created', version, updated_at FROM initiatives ORDER BY id;
INSERT INTO changes (record_type, record_id, action, version, at)
    SELECT 'training', id, 'created', version, updated_at FROM trainings ORDER BY id;
