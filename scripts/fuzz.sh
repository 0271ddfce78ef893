#!/usr/bin/env bash
# Contract fuzzing (issue 18): schemathesis against a freshly started
# binary on a new SQLite database with the demo data, signed in as an
# administrator. First the document itself is validated with
# openapi-spec-validator; then schemathesis runs every phase (examples,
# coverage with negative data, fuzzing, stateful links) for FUZZ_SECONDS.
#
#   scripts/fuzz.sh            every check (`just fuzz`)
#   scripts/fuzz.sh --ci       only what must never happen: a 5xx, a
#                              document that does not validate (CI)
#
# Environment: MDSC_BINARY (default target/release/mdsc-gateway),
# FUZZ_SECONDS (default 120), FUZZ_VENV (default target/fuzz-venv),
# FUZZ_PORT (default 18099). Reports go to target/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=all
[[ "${1:-}" == "--ci" ]] && MODE=ci
BIN="${MDSC_BINARY:-target/release/mdsc-gateway}"
SECONDS_BUDGET="${FUZZ_SECONDS:-120}"
VENV="${FUZZ_VENV:-target/fuzz-venv}"
PORT="${FUZZ_PORT:-18099}"
OUT="target/fuzz"

[[ -x "$BIN" ]] || { echo "no binary at $BIN: build it first (cargo build --release)" >&2; exit 1; }

if [[ ! -x "$VENV/bin/st" ]]; then
  echo "installing schemathesis into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "schemathesis==4.32.5" "openapi-spec-validator==0.9.0"
fi

rm -rf "$OUT" && mkdir -p "$OUT/data"
export DATA_DIR="$PWD/$OUT/data"
export BIND_ADDR="127.0.0.1:$PORT"
export RUST_LOG="${RUST_LOG:-warn}"
# The login throttle would lock the fuzzer's own account out.
export LOGIN_MAX_FAILURES_PER_ACCOUNT=1000000 LOGIN_MAX_FAILURES_PER_ADDRESS=1000000
export REGISTRATIONS_PER_ADDRESS_PER_HOUR=1000000
unset DATABASE_URL

"$BIN" seed-demo > "$OUT/seed.txt"
ADMIN_PASSWORD="fuzz-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$BIN" create-admin --email admin@fuzz.mdsc.local --password "$ADMIN_PASSWORD" > /dev/null

"$BIN" serve > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://$BIND_ADDR/api/health" > /dev/null && break
  sleep 0.2
done
curl -sf "http://$BIND_ADDR/api/openapi.json" -o "$OUT/openapi.json"

echo "=== openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$OUT/openapi.json"

TOKEN=$(curl -sf "http://$BIND_ADDR/api/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@fuzz.mdsc.local\",\"password\":\"$ADMIN_PASSWORD\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')

if [[ "$MODE" == ci ]]; then
  CHECKS=not_a_server_error
else
  CHECKS=all
fi
echo "=== schemathesis: checks $CHECKS for ${SECONDS_BUDGET}s"
# `logout` would end the fuzzer's own token: every request after it would
# be a 401 (the integration tests cover it).
"$VENV/bin/st" --config-file fuzz/schemathesis.toml run "$OUT/openapi.json" \
  --url "http://$BIND_ADDR" \
  -H "Authorization: Bearer $TOKEN" \
  --exclude-operation-id logout \
  --checks "$CHECKS" \
  --max-time "$SECONDS_BUDGET" \
  --workers 2 \
  --no-color \
  --report junit,ndjson --report-dir "$OUT" \
  | tee "$OUT/schemathesis.txt"
status=${PIPESTATUS[0]}
if ! kill -0 $SERVER 2>/dev/null; then
  echo "the server died during the run: see $OUT/server.log" >&2
  exit 1
fi
exit "$status"
