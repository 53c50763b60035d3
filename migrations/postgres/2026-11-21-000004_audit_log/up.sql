-- Who did what to which record, and when: one row per write (and per side effect of a write).
CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    at             TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL,
    role           TEXT NOT NULL,
    record_type    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    version        BIGINT,
    changed_fields TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
