#!/usr/bin/env bash
# Load benchmark of the read paths portals and partner sites hit, compared in the same run
# with the database-side bound (`../shared/bench/bound.sh`: the SQL an API that reads
# PostgreSQL once per request must at least run). Every figure is printed with its ratio to
# the bound, because absolute numbers on shared 2-core machines move from run to run.
#
# Usage: scripts/bench.sh [seconds per workload, default 10]
# Data: `seed --demo --scale $BENCH_SCALE` (default 20000 initiatives, 5000 events), on
# PostgreSQL (a fresh database `bench_registry` on 127.0.0.1:5432, or BENCH_DATABASE_URL) and
# on SQLite (a temporary folder). BENCH_BACKENDS="postgres sqlite" selects the backends.
# Needs: wrk and pgbench (Debian packages `wrk`, `postgresql-client`).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
SCALE="${BENCH_SCALE:-20000}"
PORT="${BENCH_PORT:-18181}"
BASE="http://127.0.0.1:$PORT/api/v1"
BACKENDS="${BENCH_BACKENDS:-postgres sqlite}"
PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
BOUND="${BENCH_BOUND:-../shared/bench/bound.sh}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN=./target/release/coalition-registry
SECRET="bench-secret-bench-secret-bench-secret-0001"

# The bound, first, in the same run.
declare -A BOUNDS=()
if [ -x "$BOUND" ] || [ -f "$BOUND" ]; then
  while read -r _ w tps _; do BOUNDS[$w]="$tps"; done < <(bash "$BOUND" "$DURATION" | grep '^bound ')
  echo "bound: A ${BOUNDS[A]:-?} B ${BOUNDS[B]:-?} D ${BOUNDS[D]:-?} requests/s"
else
  echo "no bound script at $BOUND: ratios are left out"
fi

ratio() { # req/s, bound workload
  [ -n "$2" ] || return 0
  local b="${BOUNDS[$2]:-}"
  [ -n "$b" ] && awk -v r="$1" -v b="$b" 'BEGIN { printf "%.2f× bound %s", r / b, "'"$2"'" }'
}

statements() { # the pool's statement counter (the health check's own SELECT included)
  curl -fs "$BASE/health" | sed -nE 's/.*"statements":([0-9]+).*/\1/p'
}

per_request() { # path, [token]: statements per request, over 50 sequential requests
  local path="$1" token="${2:-}" before after auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  curl -fs -o /dev/null "${auth[@]}" "$BASE$path" # a cache miss first, as under load
  before="$(statements)"
  for _ in $(seq 1 50); do curl -fs -o /dev/null "${auth[@]}" "$BASE$path"; done
  after="$(statements)"
  awk -v d="$((after - before - 1))" 'BEGIN { printf "%.1f", d / 50 }'
}

run() { # label, bound workload, path, [token]
  local label="$1" bound="$2" path="$3" token="${4:-}" out rps p50 p99 stmts
  local script=()
  if [ -n "$token" ]; then
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$DATA/auth.lua"
    script=(-s "$DATA/auth.lua")
  fi
  stmts="$(per_request "$path" "$token")"
  out="$(wrk -t2 -c32 -d"${DURATION}s" --latency "${script[@]}" "$BASE$path")"
  report "$label" "$bound" "$out" "$stmts"
}

report() { # label, bound workload, wrk output, statements per request
  local rps p50 p99
  rps="$(echo "$3" | sed -nE 's/^Requests\/sec: +([0-9.]+)/\1/p')"
  p50="$(echo "$3" | sed -nE 's/^ +50% +([0-9.]+[a-z]+)/\1/p')"
  p99="$(echo "$3" | sed -nE 's/^ +99% +([0-9.]+[a-z]+)/\1/p')"
  printf '%-44s %9s req/s  p50 %8s  p99 %8s  %4s stmt/req  %s%s\n' "$1" "$rps" "$p50" "$p99" "$4" "$(ratio "$rps" "$2")" \
    "$(echo "$3" | grep -q 'Non-2xx' && echo '  (non-2xx answers!)')"
}

writes() { # POST /initiatives as admin at 32 connections: creates/s with feed and audit
  local coalition="$1" before after out
  cat > "$DATA/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $ADMIN"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"coalition_id":"$coalition","original_language":"en","title":{"en":"Bench initiative"},"activity_areas":["labour_force","education"],"themes":["coding"],"countries":["LV"],"sphere":"national","status":"ongoing","start_date":"2024-01-01","publication":"published"}'
LUA
  before="$(statements)"
  out="$(wrk -t2 -c32 -d"${DURATION}s" --latency -s "$DATA/post.lua" "$BASE/initiatives")"
  after="$(statements)"
  local n
  n="$(echo "$out" | sed -nE 's/^ +([0-9]+) requests in.*/\1/p')"
  report "POST /initiatives, admin (creates)" "" "$out" "$(awk -v d="$((after - before - 1))" -v n="$n" 'BEGIN { printf "%.1f", d / n }')"
}

for backend in $BACKENDS; do
  DATA="$(mktemp -d)"
  export DATA_DIR="$DATA" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn JWT_SECRET="$SECRET"
  # wrk is one caller from one address: the limiter runs on every request (its cost is in every
  # figure) with budgets no run reaches. BENCH_RATE_LIMIT=0 measures without it.
  export RATE_LIMIT_READS="${BENCH_RATE_LIMIT:-1000000000}" RATE_LIMIT_WRITES="${BENCH_RATE_LIMIT:-1000000000}"
  unset DATABASE_URL
  if [ "$backend" = postgres ]; then
    if [ -n "${BENCH_DATABASE_URL:-}" ]; then
      export DATABASE_URL="$BENCH_DATABASE_URL"
    else
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS bench_registry WITH (FORCE)" >/dev/null
      psql "$PG_ADMIN" -qc "CREATE DATABASE bench_registry" >/dev/null
      export DATABASE_URL="${PG_ADMIN%/*}/bench_registry"
    fi
  fi
  echo
  echo "== $backend: seeding the demo data set (scale $SCALE)"
  RUST_LOG=info "$BIN" seed --demo --scale "$SCALE" 2>&1 | grep "demo data"
  "$BIN" serve &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done
  ADMIN="$("$BIN" token --role admin --sub bench 2>/dev/null | tail -n1)"
  INITIATIVE="$(curl -fs "$BASE/initiatives?limit=1" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4)"
  B="/initiatives?country=LV&activity_area=labour_force&limit=50"

  run "A  /initiatives/{id}, anonymous (cached)" A "/initiatives/$INITIATIVE"
  run "A  with a token (uncached)" A "/initiatives/$INITIATIVE" "$ADMIN"
  run "B  country+area, limit 50, anonymous (cached)" D "$B"
  run "B  with a token, with total (uncached)" D "$B" "$ADMIN"
  run "B  with a token, count=false (uncached)" B "$B&count=false" "$ADMIN"
  run "search q=digital skills, relevance (cached)" B "/initiatives?q=digital%20skills&sort=relevance&limit=25"
  run "search, with a token (uncached)" B "/initiatives?q=digital%20skills&sort=relevance&limit=25" "$ADMIN"
  run "/coalitions?limit=25, anonymous (cached)" B "/coalitions?limit=25"
  COALITION="$(curl -fs "$BASE/coalitions?country=LV" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4)"
  writes "$COALITION"
  echo "peak RSS of the server: $(grep VmHWM /proc/$SERVER/status | awk '{print $2 / 1024 " MB"}')"
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
done
