#!/usr/bin/env bash
# Import and report speed of accord against DuckDB (the reference kit's peer),
# one after the other on the same data, in one run.
#
#   bench/import.sh [LEADS ...]        default: 100000 1000000
#
# For each size: generates the kit's data once (seed 1) under
# ${ACCORD_BENCH_DIR:-/tmp/accord-bench}, runs reference.py --timing (DuckDB
# loads the CSVs into a file database, then runs all 11 reports), then
# `accord import` into a fresh database, a re-import of the same folder, and
# `accord report all` (which folds the whole log and writes every report), and
# checks the reports with compare.py. Prints times, ratios, peak RSS and the
# database size. The machine is shared: repeat (RUNS=3) and compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kit="$root/../shared/bench"
base=${ACCORD_BENCH_DIR:-/tmp/accord-bench}
runs=${RUNS:-1}
mkdir -p "$base"
cargo build --release --quiet
bin="$root/target/release/accord"
measure() { python3 "$root/bench/measure.py" "$@" 2>&1 >/dev/null | tail -n 1; }

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

printf '%-9s %-4s %9s %9s %6s %10s %10s %9s %9s %9s %6s %9s\n' \
  leads run duck_load accord_imp ratio accord_rss db_size reimport duck_qry acc_report ratio compare
for leads in "${sizes[@]}"; do
  data="$base/data-$leads"
  if [ ! -f "$data/meta.json" ]; then
    echo "generating $leads leads into $data ..." >&2
    python3 "$kit/gen.py" --leads "$leads" --seed 1 --out "$data" >/dev/null 2>&1
  fi
  for run in $(seq 1 "$runs"); do
    python3 "$kit/reference.py" --data "$data" --out "$base/expected-$leads" --timing >/dev/null
    duck_load=$(python3 -c "import json;print(round(json.load(open('$base/expected-$leads/timing.json'))['load_s'],2))" 2>/dev/null || echo "?")
    duck_q=$(python3 -c "import json;t=json.load(open('$base/expected-$leads/timing.json'));print(round(t['queries_s'],2))" 2>/dev/null || echo "?")
    db="$base/accord-$leads.db"
    rm -f "$db" "$db-wal" "$db-shm"
    read -r imp_s imp_rss < <(measure "$bin" import "$data" --db "$db")
    size_mib=$(( $(stat -c %s "$db") / 1048576 ))
    read -r re_s _ < <(measure "$bin" import "$data" --db "$db")
    rm -rf "$base/actual-$leads"
    read -r rep_s _ < <(measure "$bin" report all --db "$db" --out "$base/actual-$leads")
    verdict=$(python3 "$kit/compare.py" "$base/expected-$leads" "$base/actual-$leads" | tail -n 1)
    ratio_imp=$(python3 -c "print(f'{$imp_s/$duck_load:.2f}')" 2>/dev/null || echo "?")
    ratio_rep=$(python3 -c "print(f'{$rep_s/$duck_q:.2f}')" 2>/dev/null || echo "?")
    printf '%-9s %-4s %8ss %8ss %6s %7sMiB %7sMiB %8ss %8ss %8ss %6s  %s\n' \
      "$leads" "$run" "$duck_load" "$imp_s" "$ratio_imp" "$imp_rss" "$size_mib" "$re_s" "$duck_q" "$rep_s" "$ratio_rep" "$verdict"
  done
done
echo "ratio = accord / DuckDB (lower is better). duck_qry: all 11 reports on loaded tables;"
echo "acc_report: accord report all, which today folds the whole log on every run."
