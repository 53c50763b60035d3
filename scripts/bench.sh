#!/usr/bin/env bash
# Load benchmark of the read paths portals and partner sites hit, with wrk on loopback.
# Usage: scripts/bench.sh [seconds per endpoint, default 10]
# Data: `seed --demo --scale $BENCH_SCALE` (default 20000 initiatives, 5000 events) in SQLite
# in a temporary folder, or in PostgreSQL when BENCH_DATABASE_URL is set
# (e.g. postgres://postgres@127.0.0.1:5432/bench — an empty database).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
SCALE="${BENCH_SCALE:-20000}"
PORT="${BENCH_PORT:-18181}"
BASE="http://127.0.0.1:$PORT/api/v1"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN=./target/release/coalition-registry
DATA="$(mktemp -d)"
export DATA_DIR="$DATA" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn JWT_SECRET="bench-secret-bench-secret-bench-secret-0001"
[ -n "${BENCH_DATABASE_URL:-}" ] && export DATABASE_URL="$BENCH_DATABASE_URL"
echo "seeding the demo data set (scale $SCALE)"
RUST_LOG=info "$BIN" seed --demo --scale "$SCALE" 2>&1 | grep "demo data"
"$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 50); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done

first_id() { curl -fs "$BASE$1" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4; }
INITIATIVE="$(first_id "/initiatives?limit=1")"
COALITION="$(first_id "/coalitions?country=LV")"

run() {
  echo
  echo "== GET $1"
  wrk -t2 -c32 -d"${DURATION}s" --latency "$BASE$1" | grep -E "^Requests/sec|^ +Latency |^ +(50|99)%|Non-2xx"
}
run "/countries/LV"
run "/coalitions/$COALITION"
run "/initiatives/$INITIATIVE"
run "/coalitions?limit=25"
run "/initiatives?limit=25"
run "/initiatives?country=UA&activity_area=education&limit=25"
run "/initiatives?q=digital%20skills&sort=relevance&limit=25"
run "/initiatives?include=coalition,organisations&limit=100"
run "/trainings?upcoming=true&sort=starts_at&limit=25"
run "/stats"
run "/stats?country=LV"
run "/coalitions/$COALITION/members?include=organisation"
run "/changes?limit=100"
run "/changes?limit=100&types=initiative&after=$(curl -fs "$BASE/changes?limit=1000" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)"
