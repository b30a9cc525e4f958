# The data preparation bench/engine.sh, bench/run.sh and bench/serve.sh
# share (sourced, not run). The caller sets `set -euo pipefail` and `cd`s to
# the repository's root first.
#
# Sets: root (the repository), kit (the reference kit), base
# (${ACCORD_BENCH_DIR:-/tmp/accord-bench}, created), bin (the release
# `accord`, once bench_build has run; ACCORD_BIN=path: that binary instead,
# nothing built, say one of another commit to compare with).

shopt -s inherit_errexit
root=$(pwd)
kit="$root/../shared/bench"
base=${ACCORD_BENCH_DIR:-/tmp/accord-bench}
bin=${ACCORD_BIN:-$root/target/release/accord}
mkdir -p "$base"

# The release build of `accord`, and of each example named (PACKAGE:EXAMPLE).
bench_build() {
  [ -z "${ACCORD_BIN:-}" ] || return 0
  cargo build --release --quiet
  local spec
  for spec in "$@"; do
    cargo build --release --quiet -p "${spec%%:*}" --example "${spec#*:}"
  done
}

# The kit's data for LEADS leads (seed 1), generated once; prints its folder.
bench_data() {
  local data="$base/data-$1"
  if [ ! -f "$data/meta.json" ]; then
    echo "generating $1 leads into $data ..." >&2
    python3 "$kit/gen.py" --leads "$1" --seed 1 --out "$data" >/dev/null 2>&1
  fi
  echo "$data"
}

# The kit's facts for LEADS leads as JSON lines (records, leads, touches,
# opportunities: no stage changes, which the engine decides itself), sorted
# by time, made once; prints the file's path.
bench_facts() {
  local data lines scratch
  data=$(bench_data "$1")
  lines="$base/facts-$1.jsonl"
  if [ ! -f "$lines" ]; then
    echo "exporting the kit's facts as JSON lines ..." >&2
    scratch="$base/export-$1.db"
    rm -f "$scratch" "$scratch-wal" "$scratch-shm"
    "$bin" import "$data" --db "$scratch" >/dev/null 2>&1
    "$bin" export events --db "$scratch" --out - | python3 "$root/bench/sort_facts.py" > "$lines"
    rm -f "$scratch" "$scratch-wal" "$scratch-shm"
  fi
  echo "$lines"
}

# Splits LINES into OUT.head (the first 90 %) and OUT.tail (the rest);
# sets head_n and tail_n.
bench_split() {
  local total
  total=$(wc -l < "$1")
  head_n=$(( total * 9 / 10 ))
  tail_n=$(( total - head_n ))
  head -n "$head_n" "$1" > "$2.head"
  tail -n +"$(( head_n + 1 ))" "$1" > "$2.tail"
}

# Adopts the starter agreement (`accord init`'s, written into DIR, else a
# temporary folder) into the database DB.
bench_adopt() {
  local dir=${2:-}
  [ -n "$dir" ] || dir=$(mktemp -d)
  (cd "$dir" && "$bin" init >/dev/null && "$bin" agreement adopt accord.toml --db "$1" >/dev/null)
  [ -n "${2:-}" ] || rm -rf "$dir"
}
