#!/usr/bin/env bash
# Import and report speed of accord against DuckDB (the reference kit's peer),
# one after the other on the same data, in one run.
#
#   bench/import.sh [LEADS ...]        default: 10000 100000 1000000
#
# For each size: generates the kit's data once (seed 1) under
# ${ACCORD_BENCH_DIR:-/tmp/accord-bench}, runs reference.py --timing (DuckDB
# loads the CSVs into a file database, then runs all 11 reports), then
# `accord import` into a fresh database, a re-import of the same folder, and
# the first `accord report all` (which folds the whole log, computes every
# report and stores them: the rebuild), and checks the reports with
# compare.py. Then, per report, a read from the stored reports
# (bench/reads.py) beside DuckDB's query for it, and the time every report
# takes to be up to date after batches of 1,000 new events: inside one process
# (the live_update example), and across processes, from the commit of an
# append until the stored reports have moved, with `accord watch` running
# (this last step appends to the bench database). Prints times, ratios, peak RSS and the database size. The machine
# is shared: repeat (RUNS=3) and compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kit="$root/../shared/bench"
base=${ACCORD_BENCH_DIR:-/tmp/accord-bench}
runs=${RUNS:-1}
mkdir -p "$base"
cargo build --release --quiet
cargo build --release --quiet --example live_update
bin="$root/target/release/accord"
measure() { python3 "$root/bench/measure.py" "$@" 2>&1 >/dev/null | tail -n 1; }

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)

printf '%-9s %-4s %9s %9s %6s %10s %10s %9s %9s %9s %6s %10s %9s\n' \
  leads run duck_load accord_imp ratio accord_rss db_size reimport duck_all acc_rebuild ratio rebuild_rss compare
for leads in "${sizes[@]}"; do
  data="$base/data-$leads"
  if [ ! -f "$data/meta.json" ]; then
    echo "generating $leads leads into $data ..." >&2
    python3 "$kit/gen.py" --leads "$leads" --seed 1 --out "$data" >/dev/null 2>&1
  fi
  for run in $(seq 1 "$runs"); do
    python3 "$kit/reference.py" --data "$data" --out "$base/expected-$leads" --timing >/dev/null
    duck_load=$(python3 -c "import json;print(round(json.load(open('$base/expected-$leads/timing.json'))['load_s'],2))" 2>/dev/null || echo "?")
    duck_q=$(python3 -c "import json;t=json.load(open('$base/expected-$leads/timing.json'));print(round(t['load_s']+t['queries_s'],2))" 2>/dev/null || echo "?")
    db="$base/accord-$leads.db"
    rm -f "$db" "$db-wal" "$db-shm"
    read -r imp_s imp_rss < <(measure "$bin" import "$data" --db "$db")
    size_mib=$(( $(stat -c %s "$db") / 1048576 ))
    read -r re_s _ < <(measure "$bin" import "$data" --db "$db")
    rm -rf "$base/actual-$leads"
    read -r rep_s rep_rss < <(measure "$bin" report all --db "$db" --out "$base/actual-$leads")
    verdict=$(python3 "$kit/compare.py" "$base/expected-$leads" "$base/actual-$leads" | tail -n 1)
    ratio_imp=$(python3 -c "print(f'{$imp_s/$duck_load:.2f}')" 2>/dev/null || echo "?")
    ratio_rep=$(python3 -c "print(f'{$rep_s/$duck_q:.2f}')" 2>/dev/null || echo "?")
    printf '%-9s %-4s %8ss %8ss %6s %7sMiB %7sMiB %8ss %8ss %8ss %6s %7sMiB  %s\n' \
      "$leads" "$run" "$duck_load" "$imp_s" "$ratio_imp" "$imp_rss" "$size_mib" "$re_s" "$duck_q" "$rep_s" "$ratio_rep" "$rep_rss" "$verdict"
  done
done
echo "ratio = accord / DuckDB (lower is better). duck_all: DuckDB load + all 11 queries;"
echo "acc_rebuild: the first accord report all after the import (folds the log, computes and stores every report)."
echo
echo "Reading one report from a database that has imported the data (median of 5 processes):"
printf '%-9s %-22s %11s %11s %11s %8s %8s\n' leads report duck_query accord_wall in_process ratio_in ratio_wall
for leads in "${sizes[@]}"; do
  python3 "$root/bench/reads.py" "$bin" "$base/accord-$leads.db" "$base/expected-$leads/timing.json" "$leads"
done
echo "accord_wall: the whole accord process (start, open, read, print); in_process: the read of the stored report."
echo
echo "Every report up to date after 1,000 new events (touches, stage changes, a won opportunity):"
for leads in "${sizes[@]}"; do
  printf '%-9s ' "$leads"
  "$root/target/release/examples/live_update" "$base/accord-$leads.db" 5 1000 | tail -n 1
done
echo
echo "Stored reports up to date after 1,000 events appended by another process, accord watch running (poll 10 ms):"
for leads in "${sizes[@]}"; do
  db="$base/accord-$leads.db"
  log="$base/watch-$leads.log"
  "$bin" watch --db "$db" 2> "$log" &
  watcher=$!
  for _ in $(seq 1 600); do grep -q watching "$log" && break; sleep 0.2; done
  printf '%-9s ' "$leads"
  "$root/target/release/examples/live_update" "$db" 5 1000 --append | tail -n 1
  printf '          watch: peak RSS %s\n' "$(grep VmHWM /proc/$watcher/status | awk '{printf "%d MiB", $2/1024}')"
  kill "$watcher"; wait "$watcher" 2>/dev/null || true
  grep "every report up to date" "$log" | sed "s/^/          watch: /"
done
