-- Documents without `display` are read the same way (a request's `display` replaces a stored
-- one): re-render them at the next start.
UPDATE coalitions SET doc = NULL;
UPDATE organisations SET doc = NULL;
UPDATE initiatives SET doc = NULL;
UPDATE trainings SET doc = NULL;
