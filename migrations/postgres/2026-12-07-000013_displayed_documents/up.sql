-- Documents carry the `display` a request naming no language gets (each text in the
-- record's original language), so a page for such a request is written as stored. The
-- documents of records with translated texts are re-rendered from the tables at the next
-- start (`doc` set to NULL).
UPDATE coalitions SET doc = NULL;
UPDATE organisations SET doc = NULL;
UPDATE initiatives SET doc = NULL;
UPDATE trainings SET doc = NULL;
-- Documents are read on every uncached read: LZ4 decompresses several times faster
-- than PostgreSQL's default pglz (pglz_decompress was 6 % of the database's time on a list
-- page). A server built without LZ4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE coalitions ALTER COLUMN doc SET COMPRESSION lz4;
  ALTER TABLE organisations ALTER COLUMN doc SET COMPRESSION lz4;
  ALTER TABLE initiatives ALTER COLUMN doc SET COMPRESSION lz4;
  ALTER TABLE trainings ALTER COLUMN doc SET COMPRESSION lz4;
  ALTER TABLE memberships ALTER COLUMN doc SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'LZ4 is not available: documents stay compressed with pglz';
END
$$;
