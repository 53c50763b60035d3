-- Which history of this database the feed's cursors belong to: '' until a restore from a
-- backup gives it a new one, after which older cursors get 410 and replicas resynchronise.
ALTER TABLE change_horizon ADD COLUMN epoch TEXT NOT NULL DEFAULT '';
