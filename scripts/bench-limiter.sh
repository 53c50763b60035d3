#!/usr/bin/env bash
# The rate limiter's cost on cached anonymous reads ("the limiter is not the bottleneck: measure
# it"): the same server and data (SQLite, demo scale 2000), the limiter on with budgets no run
# reaches, then off, alternated three times; wrk -t2 -c32 for 10 s per figure. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=./target/release/coalition-registry
DATA=$(mktemp -d); PORT=18282; BASE=http://127.0.0.1:$PORT/api/v1
export DATA_DIR=$DATA BIND_ADDR=127.0.0.1:$PORT RUST_LOG=warn JWT_SECRET=bench-secret-bench-secret-bench-secret-0001
$BIN seed --demo --scale 2000 >/dev/null 2>&1
for round in 1 2 3; do
  for limit in 1000000000 0; do
    RATE_LIMIT_READS=$limit RATE_LIMIT_WRITES=$limit $BIN serve & S=$!
    for _ in $(seq 1 100); do curl -fs $BASE/health >/dev/null && break; sleep 0.2; done
    ID=$(curl -fs "$BASE/initiatives?limit=1" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4)
    for path in "/initiatives/$ID" "/initiatives?country=LV&activity_area=labour_force&limit=50"; do
      curl -fs -o /dev/null "$BASE$path"
      rps=$(wrk -t2 -c32 -d10s "$BASE$path" | sed -nE 's/^Requests\/sec: +([0-9.]+)/\1/p')
      echo "round $round limit $( [ $limit = 0 ] && echo off || echo on ) ${path%%\?*}$( [[ $path == *\?* ]] && echo '?B') $rps"
    done
    kill $S; wait $S 2>/dev/null || true
  done
done
rm -rf $DATA
