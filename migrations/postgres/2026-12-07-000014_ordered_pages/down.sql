DROP INDEX initiatives_start;
CREATE INDEX initiatives_start ON initiatives (start_date, id);
DROP INDEX trainings_starts;
CREATE INDEX trainings_starts ON trainings (starts_at, id);
