#!/usr/bin/env bash
# A record read (`GET /initiatives/{id}`) with each kind of bearer token — the service's own
# HS256, and an identity provider's RS256 and ES256 (signed here with the test fixtures' keys,
# `tests/fixtures/jwks/`, the provider's key set given as a file) — printing requests/s and
# the server's CPU time per request (from /proc), which moves less between runs on a shared
# machine than throughput does. README, "Tokens from an identity provider".
#
# Usage: scripts/token_reads.sh DATABASE_URL [seconds per workload, default 5]
#   DATABASE_URL: a loaded database, e.g. after `seed --demo --scale 20000`.
# Needs: wrk, openssl, python3; a release build (`cargo build --release`); Linux (/proc).
set -euo pipefail
cd "$(dirname "$0")/.."
URL="$1"
DURATION="${2:-5}"
PORT="${BENCH_PORT:-18181}"
BASE="http://127.0.0.1:$PORT/api/v1"
BIN="${BENCH_BIN:-./target/release/coalition-registry}" # BENCH_BIN: another build to compare
FIX=tests/fixtures/jwks
DATA="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

python3 -c "import json,sys; a=json.load(open('$FIX/public-jwks.json')); print(json.dumps({'keys': [a['rsa1'], a['ec1']]}))" >"$DATA/jwks.json"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# An ECDSA signature in a JWT is r || s (32 bytes each), not openssl's DER.
der_to_raw() { openssl asn1parse -inform DER | awk -F: '/INTEGER/ {print $4}' |
  python3 -c "import sys; sys.stdout.buffer.write(b''.join(bytes.fromhex(l.strip().rjust(64, '0')) for l in sys.stdin if l.strip()))"; }
sign() { # alg kid key
  local exp head body
  exp=$(($(date +%s) + 3600))
  head=$(printf '{"alg":"%s","kid":"%s","typ":"JWT"}' "$1" "$2" | b64url)
  body=$(printf '{"sub":"token-reads","role":"admin","exp":%s}' "$exp" | b64url)
  if [ "$1" = RS256 ]; then
    sig=$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$3" | b64url)
  else
    sig=$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$3" | der_to_raw | b64url)
  fi
  echo "$head.$body.$sig"
}

export DATA_DIR="$DATA" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=warn DATABASE_URL="$URL"
export JWT_SECRET="bench-secret-bench-secret-bench-secret-0001" RATE_LIMIT_READS=0 RATE_LIMIT_WRITES=0
export JWT_ALGORITHMS=HS256,RS256,ES256 JWT_JWKS_FILE="$DATA/jwks.json"
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done
HS="$("$BIN" token --role admin --sub token-reads 2>/dev/null | tail -n1)"
ID="$(curl -fs -H "Authorization: Bearer $HS" "$BASE/initiatives?limit=1" | grep -o '"id":"[0-9a-f-]\{36\}"' | head -n1 | cut -d'"' -f4)"
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; } # clock ticks, user + system
ticks=$(getconf CLK_TCK)
for kind in HS256 RS256 ES256; do
  case $kind in
    HS256) token="$HS" ;;
    RS256) token="$(sign RS256 rsa1 "$FIX/rsa1.pem")" ;;
    ES256) token="$(sign ES256 ec1 "$FIX/ec1.pem")" ;;
  esac
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/initiatives/$ID")
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$DATA/auth.lua"
  before=$(cpu)
  out="$(wrk -t2 -c32 -d"${DURATION}s" -s "$DATA/auth.lua" "$BASE/initiatives/$ID")"
  after=$(cpu)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  awk -v k="$kind" -v s="$status" -v r="$rps" -v n="$n" -v c=$((after - before)) -v t="$ticks" \
    'BEGIN { printf "%-6s (first answer %s) %10s req/s  server CPU %5.0f µs/request\n", k, s, r, c / t * 1e6 / n }'
done
