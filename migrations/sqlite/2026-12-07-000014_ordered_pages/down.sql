-- PostgreSQL only (its default-order indexes carry the set terms for index-only pages);
-- SQLite's filters join link tables and keep their indexes. Kept so both backends have the
-- same migration versions.
SELECT 1;
