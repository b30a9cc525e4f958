#!/usr/bin/env bash
# The live engine's speed, beside DuckDB's bulk load of the same data, in one run.
#
#   bench/engine.sh [LEADS]            default: 100000
#
# Generates the kit's data (seed 1) under ${ACCORD_BENCH_DIR:-/tmp/accord-bench},
# imports it into a scratch database and exports it as JSON lines, keeps
# the facts (records, leads, touches, opportunities: no stage changes, which
# the engine decides itself) and sorts them by time. A fresh database adopts
# the starter agreement, then `accord ingest` takes the first 90 % of the
# lines and, timed on its own, the last 10 % (the engine then holds about
# LEADS leads): every event scored, staged, matched and routed live,
# committed every 4,096 lines (ev/s_last: the tail over the whole command,
# the state's load from the log included; ev/s_fed: over the judging and
# storing alone, as ingest reports it). Then `accord replay` of the whole log (time
# and peak RSS), and the in-process latency of a lead created (the
# engine_latency example: apply + judge of a new lead and its demo
# request, p50/p99). DuckDB's load of the same CSVs (reference.py --timing)
# is printed beside as events per second. The machine is shared: repeat
# (RUNS=3) and compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
leads=${1:-100000}
runs=${RUNS:-1}
bench_build accord-engine:engine_latency
measure() { python3 "$root/bench/measure.py" "$@" 2>&1 >/dev/null | tail -n 1; }

data=$(bench_data "$leads")
lines=$(bench_facts "$leads")
total=$(wc -l < "$lines")
bench_split "$lines" "$lines"

python3 "$kit/reference.py" --data "$data" --out "$base/expected-$leads" --timing >/dev/null
duck_load=$(python3 -c "import json;print(round(json.load(open('$base/expected-$leads/timing.json'))['load_s'],2))")
rows=$(python3 -c "
import csv,glob,sys
csv.field_size_limit(sys.maxsize)
print(sum(sum(1 for _ in open(f, encoding='utf-8')) - 1 for f in glob.glob('$data/*.csv')))")

printf '%-8s %-4s %10s %12s %12s %12s %12s %9s %9s %9s\n' leads run facts ingest_90% ingest_last ev/s_last ev/s_fed duck_ev/s replay rss
for run in $(seq 1 "$runs"); do
  db="$base/engine-$leads.db"
  rm -f "$db" "$db-wal" "$db-shm"
  bench_adopt "$db"
  read -r s1 _ < <(measure "$bin" ingest "$lines.head" --db "$db")
  # The tail's own figure beside the whole: ingest says how long judging
  # and storing took once the state was loaded from the log.
  python3 "$root/bench/measure.py" --show "$bin" ingest "$lines.tail" --db "$db" \
    >/dev/null 2> "$base/ingest-tail.err"
  read -r s2 _ < <(tail -n 1 "$base/ingest-tail.err")
  fed=$(sed -n 's/^judged and stored in .* (\([0-9]*\) lines\/s).*/\1/p' "$base/ingest-tail.err")
  read -r rs rss < <(measure "$bin" replay --db "$db")
  eps=$(python3 -c "print(round($tail_n/$s2))")
  duck_eps=$(python3 -c "print(round($rows/$duck_load))")
  printf '%-8s %-4s %10s %11ss %11ss %12s %12s %9s %8ss %6sMiB\n' "$leads" "$run" "$total" "$s1" "$s2" "$eps" "$fed" "$duck_eps" "$rs" "$rss"
done
"$root/target/release/examples/engine_latency" "$db" 20000
"$bin" replay --db "$db"
