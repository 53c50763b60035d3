-- Search over words the application computes (`content::words`), the same words PostgreSQL
-- indexes: the FTS5 tables index `search_words` alone (existing rows are indexed by the
-- application at start, `content::index_missing`, through the update trigger). The update
-- trigger fires only when the words change, not on every update of the row.
ALTER TABLE initiatives ADD COLUMN search_words TEXT NOT NULL DEFAULT '';
ALTER TABLE trainings ADD COLUMN search_words TEXT NOT NULL DEFAULT '';

DROP TRIGGER initiatives_fts_insert;
DROP TRIGGER initiatives_fts_delete;
DROP TRIGGER initiatives_fts_update;
DROP TABLE initiatives_fts;
CREATE VIRTUAL TABLE initiatives_fts USING fts5 (
    search_words,
    content = 'initiatives', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
-- Every existing row enters the index (with no words yet), so the trigger's 'delete' of its
-- old words always names what the index holds.
INSERT INTO initiatives_fts (initiatives_fts) VALUES ('rebuild');
CREATE TRIGGER initiatives_fts_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiatives_fts (rowid, search_words) VALUES (new.seq, new.search_words);
END;
CREATE TRIGGER initiatives_fts_delete AFTER DELETE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, search_words) VALUES ('delete', old.seq, old.search_words);
END;
CREATE TRIGGER initiatives_fts_update AFTER UPDATE OF search_words ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, search_words) VALUES ('delete', old.seq, old.search_words);
    INSERT INTO initiatives_fts (rowid, search_words) VALUES (new.seq, new.search_words);
END;

DROP TRIGGER trainings_fts_insert;
DROP TRIGGER trainings_fts_delete;
DROP TRIGGER trainings_fts_update;
DROP TABLE trainings_fts;
CREATE VIRTUAL TABLE trainings_fts USING fts5 (
    search_words,
    content = 'trainings', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO trainings_fts (trainings_fts) VALUES ('rebuild');
CREATE TRIGGER trainings_fts_insert AFTER INSERT ON trainings BEGIN
    INSERT INTO trainings_fts (rowid, search_words) VALUES (new.seq, new.search_words);
END;
CREATE TRIGGER trainings_fts_delete AFTER DELETE ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, search_words) VALUES ('delete', old.seq, old.search_words);
END;
CREATE TRIGGER trainings_fts_update AFTER UPDATE OF search_words ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, search_words) VALUES ('delete', old.seq, old.search_words);
    INSERT INTO trainings_fts (rowid, search_words) VALUES (new.seq, new.search_words);
END;
