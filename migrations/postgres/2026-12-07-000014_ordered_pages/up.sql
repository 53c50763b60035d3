-- A page in the default order found in that order. With a set filter, PostgreSQL used to
-- gather every match through the `facets` GIN index, read each matching row and sort them:
-- the work grows with the number of matches (12,390 rows read for B's 51 at 2 million
-- initiatives, 20-60 ms). The default order's index now also carries what a page's
-- conditions read (set terms, publication, owner), so the planner can instead walk the
-- index in the page's order, test each entry without reading its row, and stop at the
-- page's last row (an index-only scan; `ListQuery` then reads the page's documents by key):
-- the work then grows with how rare the filter is, not with the table.
DROP INDEX initiatives_start;
CREATE INDEX initiatives_start ON initiatives (start_date, id) INCLUDE (facets, publication, coalition_id);
DROP INDEX trainings_starts;
CREATE INDEX trainings_starts ON trainings (starts_at, id) INCLUDE (facets, publication, coalition_id);
