#!/usr/bin/env bash
# `accord run`'s latency: from an event's commit (an `accord ingest` of a
# small batch in another process) to the daemon having applied it and
# stored every report, p50/p99 over repeated batches.
#
#   bench/run.sh [LEADS] [BATCHES] [BATCH_SIZE]     defaults: 100000 20 10
#
# The kit's data (seed 1) under ${ACCORD_BENCH_DIR:-/tmp/accord-bench} is
# imported into a scratch database, the starter agreement adopted (so each
# touch is judged live), then `accord run --interval ${INTERVAL:-10}` starts
# on it and bench/run_latency.py sends the batches (new touches on random
# leads, dated now) and times them from outside. Each ingest loads the
# engine from the log first (seconds at 100k leads): only its commit counts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kit="$root/../shared/bench"
base=${ACCORD_BENCH_DIR:-/tmp/accord-bench}
leads=${1:-100000}
batches=${2:-20}
size=${3:-10}
interval=${INTERVAL:-10}
mkdir -p "$base"
cargo build --release --quiet
bin="$root/target/release/accord"

data="$base/data-$leads"
if [ ! -f "$data/meta.json" ]; then
  echo "generating $leads leads into $data ..." >&2
  python3 "$kit/gen.py" --leads "$leads" --seed 1 --out "$data" >/dev/null 2>&1
fi
work=$(mktemp -d "$base/run-XXXXXX")
trap 'kill "$runner" 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/accord.db"
"$bin" import "$data" --db "$db" >/dev/null 2>&1
(cd "$work" && "$bin" init >/dev/null && "$bin" agreement adopt accord.toml --db "$db" >/dev/null)

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
