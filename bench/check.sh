#!/usr/bin/env bash
# How long `accord check` takes on hostile and wrong files: junk lines, a
# 50 MB line, a CSV export, the heaviest agreement within the limits. Every
# input must be answered in well under a second (issue 12: `check` will be
# reachable over the network, so its cost must be bounded for ANY input).
#
#   bench/check.sh
#
# Generates the inputs under ${ACCORD_BENCH_DIR:-/tmp/accord-bench-check} and
# times the release binary with hyperfine when installed (apt-get install
# hyperfine), else once each with /usr/bin/time. Prints time and peak RSS.
#
# Measured 2026-11-30 (2 shared cores, hyperfine mean of 10; before = the
# code before issue 12's fix, stopped after 30 s):
#   junk_100k.toml (1.9 MB)        4 ms   refused by size  (before: >300 s)
#   junk_1mib.toml (58k lines)    80 ms   50 listed + count (before: >30 s)
#   line_50mb.toml                 2 ms   refused by size  (before: echoed whole)
#   col_70k.toml                   2 ms                    (before: panic, exit 101)
#   touches_1mib.csv               4 ms   "looks like CSV" (before: >30 s)
#   unknown_keys_1mib.toml       130 ms
#   rules_at_limits.toml          33 ms                    (before: 0.8 s, 2.9 MB of stderr)
#   regex_198.toml                68 ms                    (before: 17.7 s)
#   loops_198.toml               306 ms   the slowest: 128 KiB of dense CEL (before: 3.4 s)
#   touches.csv (13 MB), leads.csv (1.9 MB) of gen.py --leads 10000: 2 ms each
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${ACCORD_BENCH_DIR:-/tmp/accord-bench-check}
mkdir -p "$dir"
cargo build --release --quiet -p accord-cli
bin="$root/target/release/accord"

python3 - "$dir" "$root/crates/accord-cli/tests/agreements/ok_minimal.toml" <<'EOF'
import sys, os
d, minimal = sys.argv[1], open(sys.argv[2]).read()
def w(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
# Junk lines: 100k (1.9 MB, over the 1 MiB limit) and as many as fit in 1 MiB.
w("junk_100k.toml", "".join(f"this is junk {i}\n" for i in range(100_000)))
lines, size, i = [], 0, 0
while True:
    l = f"this is junk {i}\n"
    if size + len(l) > 1 << 20: break
    lines.append(l); size += len(l); i += 1
w("junk_1mib.toml", "".join(lines))
# One line of 50 MB, and one of just under 1 MiB.
w("line_50mb.toml", "x" * 50_000_000 + "\n")
w("line_1mib.toml", "x" * ((1 << 20) - 1) + "\n")
# A TOML error after a 70,000-character string (column past 65,535).
w("col_70k.toml", 'name = "' + "x" * 70_000 + '" = =\n')
# A CSV export just under 1 MiB.
rows = ["touch_id,lead_id,kind,channel,occurred_at"]
n = 0
while sum(len(r) + 1 for r in rows) < (1 << 20) - 100:
    rows.append(f"T{n},L{n},email_open,email,2025-01-01T00:00:00Z"); n += 1
w("touches_1mib.csv", "\n".join(rows) + "\n")
# 1 MiB of unknown keys in one table (each gets a did-you-mean).
keys, size, i = ["[scoring]\n"], 0, 0
while size < (1 << 20) - 64:
    k = f"key_{i} = {i}\n"; keys.append(k); size += len(k); i += 1
w("unknown_keys_1mib.toml", "".join(keys))
# The heaviest agreement within the limits: 500 rules (198 fit, 200
# engagement, 98 routing, beside the 4 of ok_minimal), each about 1,900 bytes
# (a list of 60 titles) with an unknown field at the end, so that every rule
# is parsed, type-checked and reported.
def rule(i):
    titles = ", ".join(f"'{'t' * 25}{j}'" for j in range(60))
    return f"lead.title in [{titles}] && lead.employes > {i}"
extra = []
for i in range(198):
    extra.append(f'\n[[scoring.fit]]\nname = "f{i}"\nwhen = "{rule(i)}"\npoints = 1\n')
for i in range(200):
    extra.append(f'\n[[scoring.engagement.rules]]\nname = "e{i}"\nwhen = "{rule(i)}"\npoints = 1\n')
for i in range(98):
    extra.append(f'\n[[routing.rules]]\nname = "r{i}"\nwhen = "{rule(i)}"\nassign = "round_robin"\n')
heavy = minimal + "".join(extra)
assert len(heavy) <= 1 << 20, len(heavy)
# 198 rules each with a regular expression that compiles past regex's limit,
# and 198 rules each looping 300 x 300 in the sample evaluation.
def rules(when):
    return minimal + "".join(
        f'\n[[scoring.fit]]\nname = "x{i}"\nwhen = "{when}"\npoints = 1\n' for i in range(198))
w("regex_198.toml", rules(r"lead.title.matches('(\\\\w{1,50}){1,50}')"))
ones = "[" + ",".join(["1"] * 300) + "]"
w("loops_198.toml", rules(f"{ones}.all(x, x in {ones})"))
w("rules_at_limits.toml", heavy)
EOF

cd "$dir"
files=(junk_100k.toml junk_1mib.toml line_50mb.toml line_1mib.toml col_70k.toml
       touches_1mib.csv unknown_keys_1mib.toml rules_at_limits.toml regex_198.toml
       loops_198.toml)
for extra in /tmp/ag-d/touches.csv /tmp/ag-d/leads.csv; do
    [ -f "$extra" ] && files+=("$extra")
done
printf '%-28s %10s %12s %s\n' file bytes "stderr B" "first line of the answer"
for f in "${files[@]}"; do
    "$bin" check "$f" >/dev/null 2>"$dir/err.txt" || true
    printf '%-28s %10s %12s %s\n' "$(basename "$f")" "$(stat -c %s "$f")" \
        "$(stat -c %s "$dir/err.txt")" "$(head -n 1 "$dir/err.txt" | cut -c1-90)"
done
echo
if command -v hyperfine >/dev/null; then
    args=()
    for f in "${files[@]}"; do args+=("$bin check $f"); done
    hyperfine -N -i --warmup 1 --runs "${RUNS:-10}" --style basic "${args[@]}" 2>&1 |
        grep -E '^(Benchmark|  Time)'
else
    for f in "${files[@]}"; do
        /usr/bin/time -f "$(basename "$f"): %e s, %M KB peak" "$bin" check "$f" >/dev/null 2>"$dir/err.txt" || true
        tail -n 1 "$dir/err.txt"
    done
fi
