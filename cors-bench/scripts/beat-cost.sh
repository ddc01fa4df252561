#!/usr/bin/env bash
# What the change feed's heartbeats cost the app's writes (BENCHMARKS.md, issue 30).
#
#   cors-bench/scripts/beat-cost.sh REPLICAS
#
# Needs a PostgreSQL server on 127.0.0.1:$PGPORT (default 5432) that user `postgres` may use
# without a password, pgbench, and a build of the conformance example (`cargo build --example
# conformance`; $CONFORMANCE_BIN, default target/debug/examples/conformance). Creates database
# `beatbench`, starts REPLICAS conformance processes on it (each listening, and sending a heartbeat
# every 500 ms), then three times: pgbench's TPS of a transaction that replaces one tenant's row
# (one NOTIFY through the trigger), alone, and beside 300 extra heartbeats a second from another
# nonce (every replica hears and ignores them).
set -euo pipefail
replicas=${1:?how many replicas}
port=${PGPORT:-5432}
bin=${CONFORMANCE_BIN:-target/debug/examples/conformance}
pgbench=${PGBENCH:-$(ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1)}
url="postgresql://postgres@127.0.0.1:$port/beatbench"
scratch=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT
cat >"$scratch/write.sql" <<'SQL'
\set n random(1, 1000)
BEGIN;
DELETE FROM tenant_origins WHERE tenant = 'bench' || :n;
INSERT INTO tenant_origins VALUES ('bench' || :n, 'https://b' || :n || '.example.com') ON CONFLICT DO NOTHING;
COMMIT;
SQL
echo "SELECT pg_notify('cors_tenant_origins', 'beat:0000000000000000:1');" >"$scratch/beat.sql"
psql -h 127.0.0.1 -p "$port" -U postgres -q -c 'DROP DATABASE IF EXISTS beatbench WITH (FORCE)' -c 'CREATE DATABASE beatbench' postgres
# The table and its trigger, set up by one process.
CONFORMANCE_POSTGRES=$url CONFORMANCE_ADDR=127.0.0.1:0 "$bin" >/dev/null 2>&1 &
setup=$!
sleep 3
kill "$setup"; wait "$setup" 2>/dev/null || true
for _ in $(seq 1 "$replicas"); do
  CONFORMANCE_POSTGRES=$url CONFORMANCE_ADDR=127.0.0.1:0 "$bin" >/dev/null 2>&1 &
  pids+=($!)
done
sleep 4
echo "feeds listening: $(psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cors-change-feed'" beatbench)"
tps() { sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
for round in 1 2 3; do
  alone=$("$pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -T 10 -f "$scratch/write.sql" beatbench 2>/dev/null | tps)
  "$pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 1 -R 300 -T 10 -f "$scratch/beat.sql" beatbench >/dev/null 2>&1 &
  beats=$!
  beside=$("$pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -T 10 -f "$scratch/write.sql" beatbench 2>/dev/null | tps)
  wait "$beats"
  echo "round $round: writes alone $alone tps; beside 300 extra heartbeats a second $beside tps"
done
