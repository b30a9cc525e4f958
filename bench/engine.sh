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
# committed every 4,096 lines. Then `accord replay` of the whole log (time
# and peak RSS), and the in-process latency of a lead created (the
# engine_latency example: apply + judge of a new lead and its demo
# request, p50/p99). DuckDB's load of the same CSVs (reference.py --timing)
# is printed beside as events per second. The machine is shared: repeat
# (RUNS=3) and compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kit="$root/../shared/bench"
base=${ACCORD_BENCH_DIR:-/tmp/accord-bench}
leads=${1:-100000}
runs=${RUNS:-1}
mkdir -p "$base"
cargo build --release --quiet
cargo build --release --quiet -p accord-engine --example engine_latency
bin="$root/target/release/accord"
measure() { python3 "$root/bench/measure.py" "$@" 2>&1 >/dev/null | tail -n 1; }

data="$base/data-$leads"
if [ ! -f "$data/meta.json" ]; then
  echo "generating $leads leads into $data ..." >&2
  python3 "$kit/gen.py" --leads "$leads" --seed 1 --out "$data" >/dev/null 2>&1
fi
lines="$base/facts-$leads.jsonl"
if [ ! -f "$lines" ]; then
  echo "exporting the kit's facts as JSON lines ..." >&2
  scratch="$base/export-$leads.db"
  rm -f "$scratch" "$scratch-wal" "$scratch-shm"
  "$bin" import "$data" --db "$scratch" >/dev/null 2>&1
  "$bin" export events --db "$scratch" --out - | python3 "$root/bench/sort_facts.py" > "$lines"
  rm -f "$scratch" "$scratch-wal" "$scratch-shm"
fi
total=$(wc -l < "$lines")
head_n=$(( total * 9 / 10 ))
head -n "$head_n" "$lines" > "$lines.head"
tail -n +"$(( head_n + 1 ))" "$lines" > "$lines.tail"
tail_n=$(( total - head_n ))

python3 "$kit/reference.py" --data "$data" --out "$base/expected-$leads" --timing >/dev/null
duck_load=$(python3 -c "import json;print(round(json.load(open('$base/expected-$leads/timing.json'))['load_s'],2))")
rows=$(python3 -c "
import csv,glob,sys
csv.field_size_limit(sys.maxsize)
print(sum(sum(1 for _ in open(f, encoding='utf-8')) - 1 for f in glob.glob('$data/*.csv')))")

printf '%-8s %-4s %10s %12s %12s %12s %9s %9s %9s\n' leads run facts ingest_90% ingest_last ev/s_last duck_ev/s replay rss
for run in $(seq 1 "$runs"); do
  db="$base/engine-$leads.db"
  rm -f "$db" "$db-wal" "$db-shm"
  tmp=$(mktemp -d)
  (cd "$tmp" && "$bin" init >/dev/null && "$bin" agreement adopt accord.toml --db "$db" >/dev/null)
  rm -rf "$tmp"
  read -r s1 _ < <(measure "$bin" ingest "$lines.head" --db "$db")
  read -r s2 _ < <(measure "$bin" ingest "$lines.tail" --db "$db")
  read -r rs rss < <(measure "$bin" replay --db "$db")
  eps=$(python3 -c "print(round($tail_n/$s2))")
  duck_eps=$(python3 -c "print(round($rows/$duck_load))")
  printf '%-8s %-4s %10s %11ss %11ss %12s %9s %8ss %6sMiB\n' "$leads" "$run" "$total" "$s1" "$s2" "$eps" "$duck_eps" "$rs" "$rss"
done
"$root/target/release/examples/engine_latency" "$db" 20000
"$bin" replay --db "$db"
