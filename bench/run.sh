#!/usr/bin/env bash
# `accord run`'s latency: from a batch's commit to every report stored at
# the new head, p50/p99 over repeated batches.
#
#   bench/run.sh [LEADS] [BATCHES] [BATCH_SIZE]     defaults: 100000 100 10
#
# The kit's data (seed 1) under ${ACCORD_BENCH_DIR:-/tmp/accord-bench} is
# imported into a scratch database (or DB=path: a copy of that database is
# used) and the starter agreement adopted, so each touch is judged live.
#
# By default the inputs are taken in the process that keeps the reports, as
# a server does (the run_latency example: `Runner::start`, then per batch
# `Runner::ingest` of new touches on random leads, dated now, judged and
# committed with their decisions, and `Runner::step`, which stores the
# reports): no second engine is loaded, and the times are the process's own.
#
# CROSS=1 measures across processes instead: `accord run --interval
# ${INTERVAL:-10}` and, per batch, an `accord ingest` in its own process,
# timed from outside by bench/run_latency.py. Each such writer loads the
# whole engine first (2 GiB and ~20 s at 1M leads) and competes with the
# daemon for the cores while it exits: at 1M that measures the writer.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
leads=${1:-100000}
batches=${2:-100}
size=${3:-10}
interval=${INTERVAL:-10}
bench_build accord-engine:run_latency
data=$(bench_data "$leads")
work=$(mktemp -d "$base/run-XXXXXX")
runner=
trap '[ -n "$runner" ] && kill "$runner" 2>/dev/null; rm -rf "$work"' EXIT
db="$work/accord.db"
if [ -n "${DB:-}" ]; then
  cp "$DB" "$db"
else
  "$bin" import "$data" --db "$db" >/dev/null 2>&1
fi
bench_adopt "$db" "$work"

if [ -z "${CROSS:-}" ]; then
  "$root/target/release/examples/run_latency" "$db" "$batches" "$size" "$leads"
  exit 0
fi

started=$(date +%s.%N)
(cd "$work" && exec "$bin" run --db "$db" --interval "$interval" 2> "$work/run.log") &
runner=$!
until grep -q watching "$work/run.log"; do
  kill -0 "$runner" 2>/dev/null || { cat "$work/run.log" >&2; exit 1; }
  sleep 0.1
done
echo "accord run started in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s on $leads leads (interval $interval ms): $(head -n 1 "$work/run.log")"
python3 "$root/bench/run_latency.py" "$bin" "$db" "$batches" "$size" "$leads" "$work/run.log"
kill -TERM "$runner"
wait "$runner"
tail -n 1 "$work/run.log"
