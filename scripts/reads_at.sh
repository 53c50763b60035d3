#!/usr/bin/env bash
# The headline reads with an admin token (uncached), against a database loaded already — to
# compare sizes, e.g. `seed --demo --scale 2000000` against `--scale 20000` (README,
# Performance, "At 2 million initiatives").
#
# Usage: scripts/reads_at.sh DATABASE_URL [seconds per workload, default 6]
# Needs: wrk; a release build (`cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
URL="$1"
DURATION="${2:-6}"
PORT="${BENCH_PORT:-18181}"
BASE="http://127.0.0.1:$PORT/api/v1"
BIN=./target/release/coalition-registry
DATA="$(mktemp -d)"
export DATA_DIR="$DATA" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn DATABASE_URL="$URL"
export JWT_SECRET="bench-secret-bench-secret-bench-secret-0001" RATE_LIMIT_READS=0 RATE_LIMIT_WRITES=0
"$BIN" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done
TOKEN="$("$BIN" token --role admin --sub reads 2>/dev/null | tail -n1)"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" > "$DATA/auth.lua"
auth=(-H "Authorization: Bearer $TOKEN")
ID="$(curl -fs "${auth[@]}" "$BASE/initiatives?limit=1" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4)"
B="$BASE/initiatives?country=LV&activity_area=labour_force&limit=50"
CURSOR="$(curl -fs "${auth[@]}" "$B&count=false" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)"
for path in "/initiatives/$ID" "/initiatives?limit=50&count=false" "${B#"$BASE"}" "${B#"$BASE"}&count=false" \
  "${B#"$BASE"}&count=false&cursor=$CURSOR" "/initiatives?q=digital%20skills&sort=relevance&limit=25"; do
  printf '%-60s ' "$(echo "$path" | cut -c1-60)"
  wrk -t2 -c32 -d"${DURATION}s" --latency -s "$DATA/auth.lua" "$BASE$path" |
    awk '/Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END {printf "%10s req/s  p50 %8s  p99 %8s\n", r, p50, p99}'
done
