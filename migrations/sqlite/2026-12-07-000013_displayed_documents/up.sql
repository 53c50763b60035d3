-- Documents carry the `display` a request naming no language gets (each text in the
-- record's original language), so a page for such a request is written as stored. The
-- documents of records with translated texts are re-rendered from the tables at the next
-- start (`doc` set to NULL).
UPDATE coalitions SET doc = NULL;
UPDATE organisations SET doc = NULL;
UPDATE initiatives SET doc = NULL;
UPDATE trainings SET doc = NULL;
