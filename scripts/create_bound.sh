#!/usr/bin/env bash
# The database-side bound of one create: the transaction `POST /initiatives` sends on
# PostgreSQL (BEGIN; the reference check; one statement with every INSERT; COMMIT), with
# literal values, run by pgbench. Needs the `bench_registry` database a `scripts/bench.sh`
# run leaves behind (or BENCH_DATABASE_URL). Usage: scripts/create_bound.sh [seconds] [clients]
set -euo pipefail
DB="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_registry}"
SECONDS_RUN="${1:-10}"
CLIENTS="${2:-10}"
SQL="$(mktemp)"
trap 'rm -f "$SQL"' EXIT
coalition="$(psql "$DB" -Atc "SELECT c.id FROM coalitions c WHERE c.country_code = 'LV' LIMIT 1")"
doc="$(psql "$DB" -Atc "SELECT doc FROM initiatives WHERE doc IS NOT NULL LIMIT 1" | sed "s/'/''/g")"
cat > "$SQL" <<EOF
BEGIN;
SELECT CAST(0 AS BIGINT) AS count WHERE NOT EXISTS (SELECT 1 FROM coalitions WHERE id = '$coalition') UNION ALL SELECT CAST(1 AS BIGINT) AS count WHERE NOT EXISTS (SELECT 1 FROM countries WHERE code = 'LV');
WITH k AS MATERIALIZED (SELECT gen_random_uuid()::text AS id), w0 AS (INSERT INTO initiatives (id, original_language, texts, languages, title, coalition_id, sphere, status, start_date, publication, search_words, version, created_at, updated_at, doc) SELECT id, 'en', '{"title":{"en":"Bench initiative"},"summary":{},"description":{}}', ' en ', 'Bench initiative', '$coalition', 'national', 'ongoing', '2024-01-01', 'published', 'bench initiative', 1, now(), now(), '$doc' FROM k), w1 AS (INSERT INTO initiative_activity_areas (initiative_id, area) SELECT id, a FROM k, (VALUES ('labour_force'), ('education')) v(a)), w2 AS (INSERT INTO initiative_themes (initiative_id, theme) SELECT id, 'coding' FROM k), w3 AS (INSERT INTO initiative_countries (initiative_id, country_code) SELECT id, 'LV' FROM k), w4 AS (INSERT INTO changes (record_type, record_id, action, version, at) SELECT 'initiative', id, 'created', 1, now() FROM k) INSERT INTO audit_log (id, at, actor, role, record_type, record_id, action, version, changed_fields) SELECT gen_random_uuid()::text, now(), 'bench', 'admin', 'initiative', id, 'created', 1, 'title' FROM k;
COMMIT;
EOF
# -M simple: the document holds `:name`-like text pgbench would take for variables otherwise.
pgbench "$DB" -n -M simple -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" -f "$SQL" 2>&1 | grep -E "^tps|latency average"
