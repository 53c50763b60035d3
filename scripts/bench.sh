#!/usr/bin/env bash
# Load benchmark of the read paths partner sites and portals hit, with wrk on loopback.
# Usage: scripts/bench.sh [seconds per endpoint, default 10]
# Uses SQLite in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL is set
# (e.g. postgres://postgres@127.0.0.1:5432/bench — the database must exist and be empty).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
PORT="${BENCH_PORT:-18181}"
BASE="http://127.0.0.1:$PORT/api/v1"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
DATA="$(mktemp -d)"
export DATA_DIR="$DATA" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn JWT_SECRET="bench-secret-bench-secret-bench-secret-0001"
[ -n "${BENCH_DATABASE_URL:-}" ] && export DATABASE_URL="$BENCH_DATABASE_URL"
./target/release/coalition-registry serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 50); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done

ADMIN="$(./target/release/coalition-registry token --role admin --sub bench)"
post() { curl -fs -X POST "$BASE$1" -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -d "$2"; }
json_id() { sed -E 's/^\{"id":"([^"]+)".*/\1/'; }

echo "seeding: one coalition per country, 2000 organisations, 60 members of one coalition"
COALITION=""
for code in $(curl -fs "$BASE/countries?limit=100" | grep -o '"code":"[A-Z][A-Z]"' | cut -d'"' -f4); do
  id="$(post /coalitions "{\"country_code\":\"$code\",\"name\":\"$code National Coalition for Digital Skills and Jobs\",\"status\":\"established\",\"activity_areas\":[\"education\",\"labour_force\"]}" | json_id)"
  [ "$code" = "LV" ] && COALITION="$id"
done
export -f post; export BASE ADMIN
seq 1 2000 | xargs -P 8 -I{} bash -c 'post /organisations "{\"name\":\"Organisation {} for digital skills\",\"sector\":\"ngo\",\"country_code\":\"LV\"}" >/dev/null'
curl -fs "$BASE/organisations?limit=60&sort=-name" | grep -o '"id":"[0-9a-f-]\{36\}"' | cut -d'"' -f4 | while read -r org; do
  post "/coalitions/$COALITION/members" "{\"organisation_id\":\"$org\",\"role\":\"member\"}" >/dev/null
done

run() {
  echo
  echo "== GET $1"
  wrk -t2 -c32 -d"${DURATION}s" --latency "$BASE$1" | grep -E "^Requests/sec|^ +Latency |^ +(50|99)%|Non-2xx"
}
run "/countries/LV"
run "/coalitions/$COALITION"
run "/coalitions?limit=25"
run "/organisations?limit=100"
run "/organisations?limit=25&q=organisation%20199"
run "/coalitions/$COALITION/members?include=organisation&limit=50"
