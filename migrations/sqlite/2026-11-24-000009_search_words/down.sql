DROP TRIGGER initiatives_fts_insert;
DROP TRIGGER initiatives_fts_delete;
DROP TRIGGER initiatives_fts_update;
DROP TABLE initiatives_fts;
DROP TRIGGER trainings_fts_insert;
DROP TRIGGER trainings_fts_delete;
DROP TRIGGER trainings_fts_update;
DROP TABLE trainings_fts;
CREATE VIRTUAL TABLE initiatives_fts USING fts5 (
    title, summary, description,
    content = 'initiatives', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER initiatives_fts_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiatives_fts (rowid, title, summary, description) VALUES (new.seq, new.title, new.summary, new.description);
END;
CREATE TRIGGER initiatives_fts_delete AFTER DELETE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, title, summary, description) VALUES ('delete', old.seq, old.title, old.summary, old.description);
END;
CREATE TRIGGER initiatives_fts_update AFTER UPDATE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, title, summary, description) VALUES ('delete', old.seq, old.title, old.summary, old.description);
    INSERT INTO initiatives_fts (rowid, title, summary, description) VALUES (new.seq, new.title, new.summary, new.description);
END;

CREATE VIRTUAL TABLE trainings_fts USING fts5 (
    title, description, city, participants_note,
    content = 'trainings', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER trainings_fts_insert AFTER INSERT ON trainings BEGIN
    INSERT INTO trainings_fts (rowid, title, description, city, participants_note) VALUES (new.seq, new.title, new.description, new.city, new.participants_note);
END;
CREATE TRIGGER trainings_fts_delete AFTER DELETE ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, title, description, city, participants_note) VALUES ('delete', old.seq, old.title, old.description, old.city, old.participants_note);
END;
CREATE TRIGGER trainings_fts_update AFTER UPDATE ON trainings BEGIN
    INSERT INTO trainings_fts (trainings_fts, rowid, title, description, city, participants_note) VALUES ('delete', old.seq, old.title, old.description, old.city, old.participants_note);
    INSERT INTO trainings_fts (rowid, title, description, city, participants_note) VALUES (new.seq, new.title, new.description, new.city, new.participants_note);
END;
INSERT INTO initiatives_fts (initiatives_fts) VALUES ('rebuild');
INSERT INTO trainings_fts (trainings_fts) VALUES ('rebuild');
ALTER TABLE trainings DROP COLUMN search_words;
ALTER TABLE initiatives DROP COLUMN search_words;
