# Everyday recipes. `just` lists them.

default:
    @just --list

# Serve the API on http://127.0.0.1:8080 (SQLite in ./data by default)
run:
    cargo run

# Every test, on SQLite
test:
    cargo test --workspace

# Every test, on PostgreSQL (each test in its own schema)
test-pg:
    TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} cargo test --workspace

# Format the code
fmt:
    cargo fmt --all

# Clippy on everything, warnings are errors
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# Apply pending migrations to DATABASE_URL and exit
migrate:
    cargo run -- migrate

# Create the demo course and users, print their credentials
seed:
    cargo run -- seed-demo

# What CI runs: fmt check, clippy, tests on SQLite and on PostgreSQL
ci:
    bash .ci/run

# Login flood against the release binary: statuses, p50 of concurrent reads,
# peak memory (issue 15; not timed in CI). DATABASE_URL=postgres://… for PostgreSQL
abuse:
    cargo build --release
    python3 scripts/abuse.py

# Scale benchmark (issue 21): 1x and 100x data on SQLite and PostgreSQL
# (postgres@127.0.0.1:5432, trust), p50/p99 per endpoint and their ratio,
# pgbench on the hot reads' SQL; tables in target/bench-scale.md (not timed in CI)
bench-scale:
    cargo build --release --example seed_scale -p mdsc-gateway
    cargo build --release
    python3 scripts/bench_scale.py

# Real-time fan-out against the release binary: N streams (default 2000) on
# one topic, one reply, p50/max delivery and RSS per idle stream (issue 21;
# not timed in CI). DATABASE_URL=postgres://… for PostgreSQL
bench-streams streams="2000":
    cargo build --release
    python3 scripts/bench_streams.py --streams {{streams}}

# Contract fuzzing (issue 18): openapi-spec-validator on the document, then
# schemathesis with every check for FUZZ_SECONDS (default 120) against a
# fresh release binary on SQLite with the demo data; schemathesis is
# installed into target/fuzz-venv on first use. Reports in target/fuzz/
fuzz:
    cargo build --release
    bash scripts/fuzz.sh
